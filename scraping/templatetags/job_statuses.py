"""``{% job_statuses_script %}``: the job statuses, their labels and which are terminal, as a
JSON script element that static/js/workspace.js reads, so the page never keeps its own list."""

from django import template
from django.utils.html import json_script

from scraping.transitions import TERMINAL_STATUSES, JobStatus

register = template.Library()


@register.simple_tag
def job_statuses_script() -> str:
    return json_script(
        {
            "labels": {status.value: str(status.label) for status in JobStatus},
            "terminal": [status.value for status in TERMINAL_STATUSES],
        },
        "job-statuses",
    )
