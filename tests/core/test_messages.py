"""No translatable message starts with a field name and a colon (issue 10, items 3 and 7): the field is
data beside the message (``wpsnap.core.errors.Problem``), never text a translator could reorder or
translate, which code used to split back apart. The source is read as Python (an AST walk over every
call of ``_``, ``gettext``, ``gettext_lazy``, ``ngettext``, ``pgettext``, ...), so a message is found
however it is written, and strings that are not messages are left alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ..conftest import ROOT

WPSNAP = ROOT / "wpsnap"

# The translation functions, and which argument holds the message(s).
SINGULAR = {"_": 0, "gettext": 0, "gettext_lazy": 0, "gettext_noop": 0, "pgettext": 1, "pgettext_lazy": 1}
PLURAL = {"ngettext": (0, 1), "ngettext_lazy": (0, 1), "npgettext": (1, 2), "npgettext_lazy": (1, 2)}

# A field name before a colon: a snake_case name with optional [index] and .member parts ("email",
# "rows[2].sex", "districts[%(i)d]"), an HTTP header ("If-Match", "Idempotency-Key"), or a placeholder
# that holds one ("%(field)s"); optionally followed by ", <name>" ("row 3, sex" wrote its column so).
_NAME = r"[a-z_][a-z0-9_]*(?:\[[^\]]*\])*(?:\.[a-z0-9_]+(?:\[[^\]]*\])*)*"
_HEADER = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)+"
_PLACEHOLDER = r"%\((?:field|column|cell|key|name|where|indicator)\)[sdr]"
FIELD_PREFIX = re.compile(rf"^\s*(?:{_NAME}|{_HEADER}|{_PLACEHOLDER})(?:, [^:]*)?: ")


def _messages(path: Path) -> list[tuple[int, str]]:
    """Every literal message given to a translation function in ``path``: (line, text)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        positions = (SINGULAR[name],) if name in SINGULAR else PLURAL.get(name, ())
        for position in positions:
            if position < len(node.args):
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.append((node.lineno, argument.value))
    return found


def _prefixed(paths: list[Path]) -> list[str]:
    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}: {text[:80]!r}"
        for path in paths
        for line, text in _messages(path)
        if FIELD_PREFIX.match(text)
    ]


def test_no_translatable_message_starts_with_a_field_name() -> None:
    """Every ``_("...")`` (and the other gettext functions) in wpsnap/ is a message without a field
    prefix such as ``"email: ..."``, ``"If-Match: ..."`` or ``"%(field)s: ..."``."""
    paths = sorted(WPSNAP.rglob("*.py"))
    assert len(paths) > 100
    assert _prefixed(paths) == []


def test_the_check_finds_field_prefixes_however_the_call_is_written(tmp_path) -> None:
    """The walk finds a prefixed message in every form of call (an alias, an attribute, lazy, plural,
    with context, over several lines), and leaves plain messages and other strings alone."""
    source = tmp_path / "sample.py"
    source.write_text(
        "from django.utils import translation\n"
        "from django.utils.translation import gettext as _, gettext_lazy, ngettext, pgettext\n"
        "A = _('email: someone has it.')\n"
        "B = gettext_lazy('rows[2].sex: not a sex.')\n"
        "C = ngettext('period: %(n)d report waits.', 'period: %(n)d reports wait.', 2)\n"
        "D = pgettext('api', 'If-Match: send the ETag.')\n"
        "E = translation.gettext(\n    '%(field)s: longer than %(max)d characters.'\n)\n"
        "F = _('districts[%(i)d]: give a code.')\n"
        "OK = [_('Someone has it.'), _('Line 3: the CSV cannot be read.'), 'email: not a message',\n"
        "      _('%(path)s: no such file.'), _('Activity: %(activity)s')]\n",
        encoding="utf-8",
    )
    found = _prefixed([source])
    assert [entry.split(":")[1] for entry in found] == ["3", "4", "5", "5", "6", "7", "10"]
