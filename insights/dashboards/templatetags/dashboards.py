"""Template helpers of the dashboards."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def csv_url(context, table) -> str:
    """The current page's URL (same filters) asking for one of its tables as CSV."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    params["format"] = "csv"
    params["table"] = table.name
    return "?" + params.urlencode()
