"""A public release as the attacker of the proof (``attacker.py``) sees it: the family of true figures
behind a published period, and what the release shows of it."""

from __future__ import annotations

from decimal import Decimal

from wpsnap.publishing.disclosure import Cell, Family, cell_from_key, make_table
from wpsnap.publishing.public import PublicPeriod


def family_of(period: PublicPeriod, truth: dict[str, int | Decimal]) -> Family:
    """The family behind a published period, as the attacker models it: the table the release lays out
    (its dimensions and options are public), holding the true figures (``truth``: cell key to value; a
    cell not given counts nobody, a margin not given is the sum of its parts, the total as reported)."""
    dims = [code for code, _options in period.dimensions]
    cells = {cell_from_key(key, dims): int(value) for key, value in truth.items()}
    return Family(tables=(make_table("t", period.dimensions, cells),))


def published_of(period: PublicPeriod) -> dict[tuple[str, Cell], int]:
    """What the release shows of the period, in the attacker's terms."""
    dims = [code for code, _options in period.dimensions]
    return {
        ("t", cell_from_key(figure.cell, dims)): int(figure.value)
        for figure in period.figures()
        if figure.value is not None
    }
