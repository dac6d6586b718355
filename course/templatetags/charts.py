"""``{% chart chart %}``: draws a chart of ``course/charts.py`` as accessible SVG, with its
numbers as a table (the text alternative) and a link to them as CSV (``?csv=<name>`` on the
page's own address, the other query parameters kept)."""

from __future__ import annotations

from typing import Any

from django import template

from course.charts import Chart, ProgressChart

register = template.Library()


@register.inclusion_tag("charts/chart.html", takes_context=True)
def chart(context: Any, chart: Chart | ProgressChart) -> dict[str, Any]:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is not None:
        query["csv"] = chart.name
    return {
        "chart": chart,
        "csv_query": query.urlencode() if query is not None else f"csv={chart.name}",
    }
