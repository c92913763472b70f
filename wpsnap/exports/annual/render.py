"""The report laid out: HTML (a self-contained page with print CSS), PDF (WeasyPrint from that HTML: A4,
page numbers, tables of fixed layout that wrap and repeat their headings across pages) and DOCX
(python-docx: headings, tables, charts as PNG). Charts are ``core.charts`` specs drawn by vl-convert at a
fixed width for print."""

from __future__ import annotations

import base64
import copy
from io import BytesIO
from typing import Any, BinaryIO

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .content import Figure, Report, TextTable, paragraphs

# The width charts are drawn at for print (CSS pixels); the page's content box is about 170 mm (642 px).
CHART_WIDTH = 600


def print_spec(figure: Figure) -> dict[str, Any]:
    """The chart's spec at a fixed width: pages size charts by their container, print has none."""
    spec = copy.deepcopy(figure.chart.spec or {})
    spec["width"] = CHART_WIDTH
    return spec


def chart_svg(figure: Figure) -> str:
    import vl_convert  # the engine starts on first use

    return str(vl_convert.vegalite_to_svg(print_spec(figure)))


def chart_png(figure: Figure) -> bytes:
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(print_spec(figure), scale=2))


def html(report: Report) -> str:
    """The report as one HTML page, charts inline as SVG data (nothing fetched from elsewhere)."""

    def image(figure: Figure | None) -> str:
        if figure is None:
            return ""
        return "data:image/svg+xml;base64," + base64.b64encode(chart_svg(figure).encode()).decode()

    context = {
        "report": report,
        "status_image": image(report.status_chart),
        "financing_image": image(report.financing_chart),
        "chart_images": [(figure, image(figure)) for figure in report.charts],
        "summary": paragraphs(report.summary),
        "challenges": paragraphs(report.challenges),
        "conclusions": paragraphs(report.conclusions),
        "recommendations": paragraphs(report.recommendations),
    }
    return render_to_string("exports/annual/report.html", context)


def pdf(report: Report, out: BinaryIO, *, document: str | None = None) -> None:
    """The report as PDF through WeasyPrint (``document``: its HTML when already made)."""
    from weasyprint import HTML

    HTML(string=document if document is not None else html(report)).write_pdf(target=out)


def docx(report: Report, out: BinaryIO) -> None:
    """The report as a Word document: the same sections, tables and charts (PNG)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    doc.styles["Normal"].font.size = Pt(10)
    doc.core_properties.title = report.title
    doc.core_properties.language = report.language
    usable = Cm(21 - 2 - 2)

    def text_block(text: str) -> None:
        for paragraph in paragraphs(text):
            doc.add_paragraph(paragraph)

    def table(t: TextTable) -> None:
        doc.add_paragraph(t.caption, style="Caption")
        grid = doc.add_table(rows=1, cols=len(t.columns))
        grid.style = "Table Grid"
        grid.autofit = False
        widths = t.widths or tuple(1 / len(t.columns) for _c in t.columns)
        header = grid.rows[0]
        # The heading row repeats on every page the table runs over.
        properties = header._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)
        for cell, name in zip(header.cells, t.columns, strict=True):
            cell.text = name
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in t.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
        for column, share in zip(grid.columns, widths, strict=True):
            for cell in column.cells:
                cell.width = int(usable * share)
        for note in t.notes:
            doc.add_paragraph(note)

    def chart(figure: Figure | None) -> None:
        if figure is None:
            return
        doc.add_paragraph(figure.title, style="Caption")
        doc.add_picture(BytesIO(chart_png(figure)), width=Cm(16))
        doc.add_paragraph(figure.summary)
        table(
            TextTable(
                caption=figure.chart.table.caption,
                columns=tuple(str(c) for c in figure.chart.table.columns),
                rows=tuple(
                    tuple("\N{EN DASH}" if c is None else str(c) for c in row)
                    for row in figure.chart.table.rows
                ),
            )
        )

    doc.add_heading(report.title, level=0)
    doc.add_paragraph(report.plan_title)
    doc.add_paragraph(
        f"{report.version_label} \N{EM DASH} {_('Built on %(date)s') % {'date': report.built_on}}"
    )
    for line in report.about:
        doc.add_paragraph(line)

    doc.add_heading(_("Summary"), level=1)
    text_block(report.summary or _("The coordinator has not written a summary yet."))
    if report.status_summary is not None:
        table(report.status_summary)

    doc.add_heading(_("Progress per pillar and objective"), level=1)
    chart(report.status_chart)
    for pillar in report.pillars:
        doc.add_heading(f"{pillar.number} {pillar.title}".strip(), level=2)
        if pillar.objective:
            doc.add_paragraph(_("Objective: %(objective)s") % {"objective": pillar.objective})
        if pillar.status_counts:
            doc.add_paragraph("; ".join(f"{label}: {n}" for _code, label, n in pillar.status_counts))
        text_block(pillar.note)

    doc.add_heading(_("Activities"), level=1)
    for pillar in report.pillars:
        doc.add_heading(f"{pillar.number} {pillar.title}".strip(), level=2)
        if pillar.activity_table is not None:
            table(pillar.activity_table)
            for activity in pillar.activities:
                if activity.note:
                    doc.add_paragraph(f"{activity.code}: {activity.note}")
            continue
        for activity in pillar.activities:
            doc.add_heading(f"{activity.code} {activity.text}".strip(), level=3)
            doc.add_paragraph(_("Years: %(years)s") % {"years": activity.years})
            doc.add_paragraph(
                _("Agencies: %(agencies)s") % {"agencies": ", ".join(activity.agencies) or "\N{EN DASH}"}
            )
            if activity.status:
                doc.add_paragraph(_("Status: %(status)s") % {"status": activity.status})
            if activity.statuses is not None:
                table(activity.statuses)
            if activity.indicators is not None:
                table(activity.indicators)
            text_block(activity.note)

    doc.add_heading(_("Figures"), level=1)
    for figure in report.charts:
        chart(figure)
    for pillar in report.pillars:
        if not pillar.indicators:
            continue
        doc.add_heading(f"{pillar.number} {pillar.title}".strip(), level=2)
        for indicator in pillar.indicators:
            doc.add_heading(f"{indicator.number} {indicator.text}".strip(), level=3)
            doc.add_paragraph(
                _("Baseline: %(baseline)s. Target: %(target)s.")
                % {
                    "baseline": indicator.baseline or "\N{EN DASH}",
                    "target": indicator.target or "\N{EN DASH}",
                }
            )
            table(indicator.totals)
            for t in indicator.tables:
                table(t)
            for note in indicator.notes:
                doc.add_paragraph(note)

    if report.financing is not None:
        doc.add_heading(_("Financing"), level=1)
        chart(report.financing_chart)
        table(report.financing)

    for heading, text in (
        (_("Challenges"), report.challenges),
        (_("Conclusions"), report.conclusions),
        (_("Recommendations"), report.recommendations),
    ):
        doc.add_heading(heading, level=1)
        text_block(text or _("The coordinator has not written this section yet."))
    doc.save(out)
