"""``{% chart_cell %}``: one cell of a chart's table (``wpsnap.core.charts.Table``) as a table cell;
``{% chart_rows %}``: every row of a table at once (the same cells, without the template's per-cell cost:
a national overview's tables have 2,600 cells)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

from wpsnap.core.charts import Link, Table

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


def _escape(text: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper (the same text)."""
    return str(text) if isinstance(text, SafeData) else html.escape(str(text))


@register.simple_tag
def chart_rows(table: Table) -> SafeString:
    """Every row of ``table`` as ``<tr>`` elements, each cell as ``chart_cell`` writes it (the same
    figure formatted once per table)."""
    none = format_html(
        '<span aria-hidden="true">&ndash;</span><span class="visually-hidden">{}</span>', _("none")
    )
    figures: dict[tuple[type, Any, bool], str] = {}
    lines = []
    for row in table.rows:
        cells = []
        for position, cell in enumerate(row):
            first = position == 0
            if cell is None:
                cells.append(f'<th scope="row">{none}</th>' if first else f'<td class="text-end">{none}</td>')
            elif isinstance(cell, Link):
                link = f'<a href="{_escape(cell.href)}">{_escape(cell.text)}</a>'
                cells.append(f'<th scope="row">{link}</th>' if first else f"<td>{link}</td>")
            elif isinstance(cell, str):
                text = _escape(cell)
                cells.append(f'<th scope="row">{text}</th>' if first else f"<td>{text}</td>")
            elif isinstance(cell, Decimal | int | float) and not isinstance(cell, bool):
                key = (type(cell), cell, first)
                if key not in figures:
                    figures[key] = chart_cell(cell, first)
                cells.append(figures[key])
            else:
                cells.append(chart_cell(cell, first))
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(lines))  # noqa: S308 - every cell escaped above or by chart_cell
