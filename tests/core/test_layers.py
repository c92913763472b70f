"""The dependency rule (issue 10, item 5): the layer contract holds, and a lower layer never tells a
higher one of a change through a signal: only the audit trail listens to signals (history records and
sign-ins), in core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import wpsnap

PACKAGE = Path(wpsnap.__file__).parent
ROOT = PACKAGE.parent


def test_the_layer_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml (also run by `make lint`): the layers, and the public
    outputs reading figures only through publishing."""
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout


def _signal_hookups(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "connect"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        decorators = getattr(node, "decorator_list", [])
        for decorator in decorators:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if getattr(target, "id", getattr(target, "attr", "")) == "receiver":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_audit_trail_listens_to_signals() -> None:
    hookups = [h for p in sorted(PACKAGE.rglob("*.py")) for h in _signal_hookups(p)]
    assert hookups, "the audit trail's hook-ups should be found"
    assert {h.split(":")[0] for h in hookups} == {"wpsnap/core/apps.py"}
