"""Page forms for the six searches.

The rules live in `scraping.validation` (shared with the API and the command line); these forms
only give each rule's message a field on the page. `job_create` validates again and its
`ValidationError` dict is mapped back onto the same fields (`add_job_errors`), so nothing the
service refuses ever becomes a 500.
"""

from django import forms
from django.core.exceptions import ValidationError

from core.catalogue import BY_KEY, SearchSpec

from .validation import (
    MAX_TERM_LENGTH,
    MAX_TERMS,
    TARGET_CHOICES,
    normalize_handle,
    normalize_terms,
)

HANDLE_EXAMPLES = {
    "tiktok": "@maya.runs or https://www.tiktok.com/@maya.runs",
    "instagram": "@maya.runs or https://www.instagram.com/maya.runs/",
    "youtube": "@MayaRuns, a UC… channel id, or https://www.youtube.com/@MayaRuns",
}
TERM_EXAMPLES = {
    "tiktok_keyword": "running shoes, marathon training",
    "instagram_hashtag": "#trailrunning, #ultramarathon",
    "youtube_keyword": "trail running, gear review",
}
TARGET_ERROR = "Choose a target of " + ", ".join(str(c) for c in TARGET_CHOICES[:-1])
TARGET_ERROR += f" or {TARGET_CHOICES[-1]}."

# Keys of job_create's ValidationError dict that belong to a form field; others are general.
JOB_ERROR_FIELDS = {"keywords", "target_username", "target_results", "expand_related"}


def default_kind(campaign_search_type: str) -> SearchSpec:
    """The form shown first: TikTok keyword, or TikTok similar for a similar campaign."""
    return BY_KEY["tiktok_similar" if campaign_search_type == "similar" else "tiktok_keyword"]


class _TargetField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[(c, f"{c:,} creators") for c in TARGET_CHOICES],
            coerce=int,
            initial=TARGET_CHOICES[0],
            widget=forms.RadioSelect,
            label="How many creators",
            error_messages={"required": TARGET_ERROR, "invalid_choice": TARGET_ERROR},
            **kwargs,
        )


class SearchForm(forms.Form):
    """Base: a target; subclasses add the terms or the handle. Prefixed by the kind's key so
    all six forms can live on one page with unique ids."""

    target_results = _TargetField()
    # The target the user agreed to start although the plan has fewer creators left (sent by
    # the warning's "Start anyway"); another target is warned about again.
    confirmed_target = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kind: SearchSpec, **kwargs):
        kwargs.setdefault("prefix", kind.key)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.warning = ""  # said above the form when the target needs confirming

    def confirmed(self) -> bool:
        """Whether the user confirmed this target (after `is_valid()`)."""
        return self.cleaned_data.get("confirmed_target") == str(self.cleaned_data["target_results"])

    def job_arguments(self) -> dict:
        """Keyword arguments for `job_create` (after `is_valid()`)."""
        return {
            "platform": self.kind.platform,
            "search_type": self.kind.search_type,
            "target_results": self.cleaned_data["target_results"],
            "target_choices": TARGET_CHOICES,
        }

    def add_job_errors(self, error: ValidationError) -> None:
        """Put `job_create`'s errors on the matching fields (the rest above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            field = key if key in JOB_ERROR_FIELDS and key in self.fields else None
            self.add_error(field, messages)


class KeywordSearchForm(SearchForm):
    keywords = forms.CharField(
        required=False,  # the empty case gets normalize_terms' own message
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
    )
    expand_related = forms.BooleanField(
        required=False,
        label="Also search related hashtags",
        help_text="Hashtags that come up in the first results are searched too (shown on the "
        "search's page, where you can remove them or add your own): several sources at once, "
        "so large searches finish sooner.",
    )
    field_order = ["keywords", "expand_related", "target_results"]

    def __init__(self, *args, kind: SearchSpec, **kwargs):
        super().__init__(*args, kind=kind, **kwargs)
        if kind.related_hashtags:
            help_id = f"{self['expand_related'].auto_id}_help"
            self.fields["expand_related"].widget.attrs["aria-describedby"] = help_id
        else:
            del self.fields["expand_related"]
        field = self.fields["keywords"]
        field.label = "Hashtags" if kind.term == "hashtag" else "Keywords"
        field.help_text = (
            f"Up to {MAX_TERMS} {kind.term}s, separated by commas or new lines, each up to "
            f"{MAX_TERM_LENGTH} characters"
            + (" (a leading # is optional)." if kind.term == "hashtag" else ".")
        )
        field.widget.attrs["placeholder"] = TERM_EXAMPLES.get(kind.key, "")

    def clean_keywords(self) -> list[str]:
        return normalize_terms(self.cleaned_data.get("keywords") or "", label=self.kind.term)

    def job_arguments(self) -> dict:
        arguments = {**super().job_arguments(), "keywords": self.cleaned_data["keywords"]}
        if "expand_related" in self.fields:
            arguments["expand_related"] = self.cleaned_data["expand_related"]
        return arguments


class SimilarSearchForm(SearchForm):
    target_username = forms.CharField(
        required=False,
        label="Creator handle or profile URL",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["target_username", "target_results"]

    def __init__(self, *args, kind: SearchSpec, **kwargs):
        super().__init__(*args, kind=kind, **kwargs)
        field = self.fields["target_username"]
        field.help_text = f"For example {HANDLE_EXAMPLES[kind.platform]}."
        field.widget.attrs["placeholder"] = HANDLE_EXAMPLES[kind.platform].split(" or ")[0]

    def clean_target_username(self) -> str:
        return normalize_handle(
            self.cleaned_data.get("target_username") or "", platform=self.kind.platform
        )

    def job_arguments(self) -> dict:
        return {**super().job_arguments(), "target_username": self.cleaned_data["target_username"]}


def search_form(kind: SearchSpec, data=None) -> SearchForm:
    form_class = SimilarSearchForm if kind.is_similar else KeywordSearchForm
    return form_class(data, kind=kind)
