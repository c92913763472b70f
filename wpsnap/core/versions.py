"""Optimistic concurrency: no edit silently overwrites another.

Every object several people edit at once (a progress report, an event) is a ``VersionedModel``: it has
a ``version`` and, per field key, the version that last changed that field. A writer says which version
it read (the form's hidden field, the API's ``If-Match``) and sends only what it changed. The write
then goes through when

- nothing was written since that version, or
- every field it changes was left alone by the writes since (they are merged), or changed to the very
  same value;

and is otherwise refused with :class:`StaleWrite`, which names each field in conflict with the value
now stored, so that a page can show it beside what the person typed (kept) and the API can answer 409.

Field keys are those of the object's form (``done``, ``v12-sex-women--age-18-24``, ``fin-state-spent``);
pages and the API turn them into their own names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from . import params
from .errors import InvalidInput, Problem, WpsnapError


@dataclass(frozen=True)
class Conflict:
    """A field both writers changed: ``current`` is what is stored now, ``yours`` what was sent."""

    key: str
    current: str
    yours: str


class StaleWrite(WpsnapError):
    """A write made on an older version that changes what another write changed since (409). In the
    API, each field in conflict is a problem of its own, and the body also carries the version stored
    now and each conflict's values (``extra``)."""

    status = 409
    code = "stale"

    def __init__(self, *, version: int, current_version: int, conflicts: list[Conflict]) -> None:
        self.version = version
        self.current_version = current_version
        self.conflicts = conflicts
        super().__init__(
            _(
                "Someone else saved this since you opened it (version %(yours)d, now %(now)d), and changed "
                "what you changed. Nothing was saved: check their entries and save again."
            )
            % {"yours": version, "now": current_version}
        )

    @property
    def problems(self) -> list[Problem]:
        return [Problem("", self.code, str(self))] + [
            Problem(c.key, self.code, _("Changed by someone else since your version."))
            for c in self.conflicts
        ]

    def extra(self) -> dict[str, Any]:
        return {
            "version": self.current_version,
            "conflicts": [{"field": c.key, "current": c.current, "yours": c.yours} for c in self.conflicts],
        }

    def headers(self) -> dict[str, str]:
        return {"ETag": f'"{self.current_version}"'}

    def renamed(self, name: Callable[[str], str]) -> StaleWrite:
        """The same refusal with each field key named by ``name`` (as the API names it)."""
        return StaleWrite(
            version=self.version,
            current_version=self.current_version,
            conflicts=[replace(c, key=name(c.key)) for c in self.conflicts],
        )


class PreconditionRequired(WpsnapError):
    """An API write without ``If-Match`` (428): the caller must say which version it changes."""

    status = 428
    code = "precondition_required"
    field = "If-Match"


def _same(a: str, b: str) -> bool:
    return normalised(a) == normalised(b)


def check_version(
    obj: models.Model,
    *,
    version: int | None,
    typed: Mapping[str, str],
    current: Mapping[str, str],
) -> None:
    """Refuse (``StaleWrite``) a write of ``typed`` ({field key: text}) made on ``version`` of ``obj``
    when another write since changed any of those fields to something else. ``current`` gives the
    stored text of those fields. ``version`` None means the writer did not say (a service called from a
    command or the demo): nothing to compare. Call inside the writing transaction, on a locked row."""
    stored = int(obj.version)  # type: ignore[attr-defined]
    if version is not None and version > stored:
        raise InvalidInput.one(
            VERSION_FIELD, "invalid", _("%(version)d is not a version of this record.") % {"version": version}
        )
    if version is None or version == stored:
        return
    changed_at: dict[str, int] = obj.field_versions or {}  # type: ignore[attr-defined]
    conflicts = [
        Conflict(key=key, current=current.get(key, ""), yours=text)
        for key, text in typed.items()
        if changed_at.get(key, 0) > version and not _same(current.get(key, ""), text)
    ]
    if conflicts:
        raise StaleWrite(version=version, current_version=stored, conflicts=conflicts)


def changed_since(obj: models.Model, version: int) -> list[str]:
    """The field keys written after ``version``, oldest write first."""
    changed_at: dict[str, int] = obj.field_versions or {}  # type: ignore[attr-defined]
    return sorted((key for key, at in changed_at.items() if at > version), key=lambda k: changed_at[k])


def bump(obj: models.Model, keys: Iterable[str]) -> int:
    """Record a write that changed ``keys`` of ``obj``: one more version, and each key marked with it.
    Reads the row under lock (inside the writing transaction), so two writes never lose each other's
    marks, and writes it with a queryset update, so that no history line or audit entry is written for
    the bookkeeping. Returns the new version (also set on ``obj``). Nothing changes when ``keys`` is
    empty."""
    keys = list(keys)
    if not keys:
        return int(obj.version)  # type: ignore[attr-defined]
    manager = type(obj)._default_manager
    # Without the manager's own joins (a registry's manager may select related rows): two fields only.
    row = manager.select_for_update().select_related(None).only("version", "field_versions").get(pk=obj.pk)
    new = int(row.version) + 1  # type: ignore[attr-defined]
    field_versions = dict(row.field_versions or {})  # type: ignore[attr-defined]
    field_versions.update(dict.fromkeys(keys, new))
    manager.filter(pk=obj.pk).update(version=new, field_versions=field_versions)
    obj.version = new  # type: ignore[attr-defined]
    obj.field_versions = field_versions  # type: ignore[attr-defined]
    return new


def refuse_if_changed(obj: models.Model, version: int | None, keys: Iterable[str] | None = None) -> None:
    """Refuse (``StaleWrite``) an action taken on ``version`` of ``obj`` (a review step, a deletion)
    when any of ``keys`` (None: anything) changed since. Call inside the transaction, on a locked row."""
    stored = int(obj.version)  # type: ignore[attr-defined]
    if version is None or version == stored:
        return
    if version > stored:
        raise InvalidInput.one(
            VERSION_FIELD, "invalid", _("%(version)d is not a version of this record.") % {"version": version}
        )
    wanted = None if keys is None else set(keys)
    changed = [key for key in changed_since(obj, version) if wanted is None or key in wanted]
    if changed:
        raise StaleWrite(
            version=version,
            current_version=stored,
            conflicts=[Conflict(key=key, current="", yours="") for key in changed],
        )


# --- HTTP: ETag and If-Match --------------------------------------------------------------------------

_TAG = re.compile(r'^\s*(?:W/)?"v?(\d{1,9})"\s*$')


def etag(obj: Any) -> str:
    """The ``ETag`` of a versioned object: its version, quoted."""
    return f'"{int(obj.version)}"'


def if_match_version(header: str | None, obj: Any) -> int:
    """The version an ``If-Match`` header names. ``*`` names the version stored now (the caller
    accepts overwriting whatever is there). Raises ``PreconditionRequired`` when the header is missing
    and ``ValueError`` when it is not one of our tags."""
    if header is None or not header.strip():
        raise PreconditionRequired(
            _('Send the ETag of the version you change (GET it first), e.g. If-Match: "3".')
        )
    header = header.strip()
    if header == "*":
        return int(obj.version)
    # A list of tags: the newest one the caller names.
    found = [_TAG.match(part) for part in header.split(",")]
    if not all(found):
        raise ValueError(header)
    return max(int(m[1]) for m in found if m)


# --- pages: the form carries the version and what it showed -------------------------------------------
#
# A page's form carries two hidden fields: ``version`` (what it was rendered from) and ``base`` (the text
# of every field as rendered, JSON). What the person changed is what differs from ``base``; only that is
# sent on to the service, so a stale form merges with the writes it did not see. After an autosave the
# page takes the new version and base (and the fields others changed) from the answer.

VERSION_FIELD = "version"
BASE_FIELD = "base"


def normalised(text: str) -> str:
    """Text as compared: browsers send line breaks as CRLF, and the forms strip what was typed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def posted_version(data: Mapping[str, Any]) -> int | None:
    """The version a posted form was rendered from; None when it carries none (or not a number)."""
    return params.digits(str(data.get(VERSION_FIELD) or ""))


def posted_base(data: Mapping[str, Any]) -> dict[str, str] | None:
    """The text of each field as the posted form showed it; None when it carries none."""
    raw = data.get(BASE_FIELD)
    if not raw:
        return None
    try:
        base = json.loads(str(raw))
    except ValueError:
        return None
    if not isinstance(base, dict):
        return None
    return {str(key): normalised(str(value)) for key, value in base.items()}


def encode_base(texts: Mapping[str, str]) -> str:
    return json.dumps({key: normalised(value) for key, value in texts.items()}, ensure_ascii=False)


def untouched(name: str, text: str, base: Mapping[str, str] | None) -> bool:
    """Whether a posted field holds what the form showed (the person did not change it)."""
    return base is not None and name in base and normalised(text) == base[name]


def rebased(data: Any, base: Mapping[str, str] | None, current: Mapping[str, str]) -> Any:
    """A refused stale form, to show again: what the person changed stays as typed; every field they
    left alone shows what is stored now, so that saving again does not undo the others' writes."""
    fresh = data.copy()
    for name, text in current.items():
        if name in fresh and untouched(name, str(fresh.get(name, "")), base):
            fresh[name] = text
    return fresh


@dataclass(frozen=True)
class Sync:
    """What a page's form carries of the version (``partials/version_fields.html``): rendered with the
    form, and sent again (out of band) with each autosave's answer. ``merged`` holds the fields others
    changed that the page should now show."""

    version: int
    base: str
    merged: str = "{}"
    oob: bool = False


def sync_of(
    obj: Any, texts: Mapping[str, str], *, merged: Mapping[str, str] | None = None, oob: bool = False
) -> Sync:
    return Sync(
        version=int(obj.version),
        base=encode_base(texts),
        merged=json.dumps(dict(merged or {}), ensure_ascii=False),
        oob=oob,
    )
