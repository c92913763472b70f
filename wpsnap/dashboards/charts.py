"""The chart types the dashboards build: ``wpsnap.core.charts``' ``Table``, ``Link`` and ``Chart`` when it is
there, else the same shapes here (table and summary only, ``spec=None``), so that the pages work while the
chart builders are being written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

try:  # pragma: no cover - which branch runs depends on the tree
    from wpsnap.core.charts import Chart, Link, Table  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover

    @dataclass(frozen=True)
    class Link:  # type: ignore[no-redef]
        text: str
        href: str

    @dataclass(frozen=True)
    class Table:  # type: ignore[no-redef]
        caption: str
        columns: tuple[str, ...]
        rows: tuple[tuple[Any, ...], ...]

    @dataclass(frozen=True)
    class Chart:  # type: ignore[no-redef]
        key: str
        title: str
        summary: str
        table: Table
        spec: dict | None = None
        notes: tuple[str, ...] = ()


__all__ = ["Chart", "Link", "Table"]
