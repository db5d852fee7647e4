"""The Median views column: the median views of a creator's recent content.

Those metrics belong to the recent-content work (``scraping.metrics``): a ``CreatorMetrics``
row per platform and upstream id, whose ``metrics`` JSON holds ``median_views``. A creator
without a row, or whose metrics have no median yet, is blank: nothing was measured, and blank
is the honest value (never a made-up 0). Without the model at all, the column is blank too.
"""

from __future__ import annotations

from django.db.models import (
    BigIntegerField,
    Case,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from scraping.models import CreatorMetrics


def median_views_sql() -> Subquery[BigIntegerField]:
    """An annotation for Creator querysets: the creator's ``metrics.median_views``, or NULL.

    One subquery in the export's own query, so streaming stays one query whatever the size.
    """
    # The JSON number as text, then a number (the same SQL on SQLite and Postgres); a JSON null
    # is checked first because SQLite's text of it is "null", which casts to 0.
    median = Case(
        When(metrics__median_views=None, then=Value(None)),
        default=Cast(KeyTextTransform("median_views", "metrics"), BigIntegerField()),
        output_field=BigIntegerField(),
    )
    same_creator = CreatorMetrics.objects.filter(
        platform=OuterRef("platform"), external_id=OuterRef("external_id")
    )
    return Subquery(same_creator.annotate(median=median).values("median")[:1])
