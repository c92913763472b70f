"""Exports: every figure in the formats its readers use (issue 12).

- ``annual``: the annual progress report and the end-of-plan review (HTML, PDF through WeasyPrint, DOCX
  through python-docx), with the coordinator's own conclusions and recommendations; an internal version
  from analytics under the gate, and a public one whose figures come only through ``wpsnap.publishing``
  (``public_report``).
- ``tables``: XLSX and CSV of the lists a person sees (reports, figures, events, participants where
  allowed), under the gate and the list's filters, with an optional HXL row; formula-like cells
  neutralised.
- ``iati`` and ``opendata``: IATI activity XML 2.03 and the Frictionless data package of published
  figures, through ``wpsnap.publishing`` only.

May import every app below it (core, accounts, plan, reporting, registries, analytics, publishing); the
public outputs (``opendata``, ``iati``, ``public_report``) read figures only through publishing, a
contract of import-linter. Only ``wpsnap.demo`` may import it.
"""
