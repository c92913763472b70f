"""``{% chart_cell %}``: one cell of a chart's table (``wpsnap.core.charts.Table``) as a table cell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from wpsnap.core.charts import Link

register = template.Library()


@register.simple_tag
def chart_cell(cell: Any, first: bool = False) -> SafeString:
    """The first cell of a row as its header (``<th scope="row">``), the others as ``<td>``: a Link as a
    link, a number in the language's format and right-aligned (a Decimal without trailing zeros), None as
    a dash that screen readers read as "none"."""
    if isinstance(cell, Link):
        content = format_html('<a href="{}">{}</a>', cell.href, cell.text)
    elif cell is None:
        content = format_html(
            '<span aria-hidden="true">&ndash;</span><span class="visually-hidden">{}</span>', _("none")
        )
        if not first:  # in a column of figures: aligned with them
            return format_html('<td class="text-end">{}</td>', content)
    elif isinstance(cell, bool):
        content = format_html("{}", _("yes") if cell else _("no"))
    elif isinstance(cell, Decimal | int | float):
        value = cell.normalize() if isinstance(cell, Decimal) else cell
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        text = number_format(value, use_l10n=True, force_grouping=True)
        if first:
            return format_html('<th scope="row" class="text-end">{}</th>', text)
        return format_html('<td class="text-end">{}</td>', text)
    else:
        content = format_html("{}", cell)
    if first:
        return format_html('<th scope="row">{}</th>', content)
    return format_html("<td>{}</td>", content)
