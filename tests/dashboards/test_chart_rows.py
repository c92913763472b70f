"""``{% chart_rows %}`` writes a chart's table rows exactly as ``{% chart_cell %}`` writes each cell (the
pages use the first for speed; the cells' formatting stays in one place)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from wpsnap.core.charts import Link, Table
from wpsnap.core.templatetags.chart_tags import chart_cell, chart_rows


def test_the_rows_are_the_cells_one_by_one() -> None:
    rows = (
        ('Pillar <1> & "2"', 3, Decimal("12.50"), None, Link("x < y", "/reports/?a=1&b=2"), True),
        (Link("MoD", "/a/"), 12345, Decimal("7.00"), 0, "", False),
        (None, 0.5, Decimal("1234567.89"), gettext_lazy("none"), mark_safe("<b>safe</b>"), 3),
        (7, 7, 7, 7, 7, 7),
    )
    table = Table(caption="c", columns=("a", "b", "c", "d", "e", "f"), rows=rows)
    for language in ("en", "az", "ru"):
        with override(language):
            by_cell = "\n".join(
                "<tr>" + "".join(chart_cell(cell, n == 0) for n, cell in enumerate(row)) + "</tr>"
                for row in rows
            )
            assert chart_rows(table) == by_cell, language
    assert chart_rows(Table(caption="c", columns=("a",), rows=())) == ""
