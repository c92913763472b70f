"""The one route to the public (issue 10, item 2): figures for the public are analytics' figures read as
``scope.PUBLIC`` and passed through disclosure control, and only publishing does that. No module outside
analytics (which defines the public's scope) and publishing may name the public viewer: a page or export
that asked analytics with ``PUBLIC`` itself would bypass the suppression. Until the public pages and
exports exist (the import-linter contract for them is written in docs/architecture.md), this scan is the
rule's enforcement."""

from __future__ import annotations

import ast
from pathlib import Path

import wpsnap

PACKAGE = Path(wpsnap.__file__).parent
ALLOWED = ("analytics", "publishing")
# What names the public as a viewer: the viewer, its class, the test for it.
PUBLIC_NAMES = {"PUBLIC", "PublicViewer", "is_public"}
SCOPE = "wpsnap.analytics.scope"


def _absolute(module: str | None, level: int, path: Path) -> str:
    """The absolute module an import names (``from ..analytics import scope`` in wpsnap/x/y.py)."""
    if level == 0:
        return module or ""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    base = parts[: len(parts) - level]
    return ".".join([*base, *([module] if module else [])])


def bypasses(source: str, path: Path) -> list[str]:
    """Where ``source`` (the module at ``path``) takes hold of the public viewer: an import of the scope
    module or of a name for the public from analytics, or an attribute ``.PUBLIC``/``.PublicViewer``/
    ``.is_public`` of anything."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name.startswith(SCOPE)]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, path)
            for alias in node.names:
                target = f"{module}.{alias.name}"
                if target == SCOPE or (module.startswith("wpsnap.analytics") and alias.name in PUBLIC_NAMES):
                    found.append(f"{node.lineno}: from {module} import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in PUBLIC_NAMES:
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def test_only_publishing_asks_for_the_publics_figures() -> None:
    """No module of wpsnap outside analytics and publishing names the public viewer."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        app = path.relative_to(PACKAGE).parts[0]
        if app in ALLOWED:
            continue
        offenders += [
            f"{path.relative_to(PACKAGE.parent)}:{where}"
            for where in bypasses(path.read_text(encoding="utf-8"), path)
        ]
    assert offenders == []


def test_publishing_does_ask_for_them() -> None:
    """The scan finds publishing's own use, so its silence elsewhere means something."""
    path = PACKAGE / "publishing" / "public.py"
    found = bypasses(path.read_text(encoding="utf-8"), path)
    assert [where.split(": ", 1)[1] for where in found] == ["from wpsnap.analytics.scope import PUBLIC"]


def test_the_scan_catches_every_way_of_reaching_the_public_viewer() -> None:
    """A portal page asking analytics directly, in each way Python allows, is caught."""
    page = PACKAGE / "portal" / "views.py"
    ways = [
        "from wpsnap.analytics.scope import PUBLIC",
        "from wpsnap.analytics import scope",
        "from ..analytics import scope",
        "from ..analytics.scope import PublicViewer",
        "import wpsnap.analytics.scope",
        "import wpsnap.analytics.scope as s",
        "from wpsnap import analytics\nanalytics.scope.PUBLIC",
        "from wpsnap.analytics.results import results\nfrom . import x\nresults(x.PUBLIC, plan=None)",
    ]
    for source in ways:
        assert bypasses(source, page), source
    assert bypasses("from wpsnap.analytics.results import results\nresults(user, plan=plan)", page) == []
