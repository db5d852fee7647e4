"""Template helpers for the outreach partials in the results table."""

from django import template

from outreach.models import EntryStatus

register = template.Library()


@register.filter
def mark_for(marks, creator):
    """The CreatorMark of `creator` in `outreach_marks` (`selectors.creator_marks`), or None:
    `{% include "outreach/_creator_actions.html" with mark=outreach_marks|mark_for:c %}`."""
    if not marks or creator is None:
        return None
    return marks.get((creator.platform, creator.external_id))


@register.filter
def status_label(value: str) -> str:
    """A pipeline status as people read it ("to_contact" → "To contact")."""
    return dict(EntryStatus.choices).get(value, value)
