"""The shape every registry of the plan shares (issue 14): what a registry *declares*, and the abstract
record its model extends. The generic parts (services, gate rules, pages, API, imports, exports, the
figures derived from it, the personal-data lifecycle) read only this declaration, so that a new registry
is a small, obvious step: a model extending :class:`RegistryRecord`, a :class:`RegistryKind` naming its
columns, who sees it and what it counts, and one ``register_kind(...)`` call from its app's ``ready()``.

Events and participants came first and keep their own code (``/events/``); every later registry
(women candidates, peacebuilding actors, media, legal aid, ...) is a kind.

Vocabulary:
- *owner*: the organisation (agency or NGO) that keeps the record. Its focal points and NGO contributors
  write; the platform sets it from the writer (a coordinator may choose any organisation).
- *visibility*: who reads the records (:class:`Visibility`); whoever may not read them may still be
  allowed the counts (evaluators of a restricted registry).
- *column*: one field as forms, files (import, export, template) and the API name it (:class:`Column`).
  The header is stable: files exported today import tomorrow.
- *count*: what an indicator counting the registry's rows counts (:class:`Count`): the rows, or the
  distinct values of a field (beneficiary codes), in the period its date falls in, by sex and age band
  where the registry records them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from random import Random
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wpsnap.core.models import TimeStampedModel, VersionedModel


class Visibility(StrEnum):
    """Who reads a registry's records (coordinators always do; the public never does: only counts reach
    it, through ``publishing``)."""

    # Staff of every agency and evaluators (peacebuilding actors, media, publications, policy reviews,
    # gender officers, workforce statistics, projects, settlements).
    STAFF = "staff"
    # The owning organisation's staff only; evaluators see counts (legal aid and services).
    OWNER = "owner"
    # The organisations implementing the kind's activities in the plan (plan data: for 5.2.1.2 the
    # Ministry of Internal Affairs and the Ministry of Defense) and coordinators; evaluators see counts
    # (women candidates).
    AUTHORITIES = "authorities"


class ColumnType(StrEnum):
    TEXT = "text"  # one line (max_length of the model field)
    LONG_TEXT = "long_text"  # paragraphs
    INTEGER = "integer"  # whole number >= 0
    DECIMAL = "decimal"  # amount (money), >= 0
    DATE = "date"  # ISO 2024-03-31 in files; a date cell in XLSX
    YEAR = "year"  # a calendar year
    BOOLEAN = "boolean"  # yes/no (bəli/xeyr, да/нет and 1/0 read too)
    CHOICE = "choice"  # one code of ``Column.choices`` (labels in any language read too)
    CHOICES = "choices"  # several codes of ``Column.choices``, separated by ";" in files
    URL = "url"  # http(s) only
    DISTRICT = "district"  # an option code of the plan's "district" dimension
    SEX = "sex"  # an option code of the plan's "sex" dimension
    AGE_BAND = "age_band"  # an option code of the plan's "age" dimension
    ORGANISATION = "organisation"  # an organisation's key (e.g. "mia")
    ACTIVITIES = "activities"  # the plan activities it serves, by code ("5.4.1.3; 5.4.1.1")
    EVENTS = "events"  # events (trainings taken) by id, ";"-separated, among those the writer may see
    RECORD = "record"  # a record of another registry (``Column.target``), by that record's title in files


@dataclass(frozen=True)
class Column:
    """One field of a registry as forms, files and the API name it."""

    # The model field (or M2M) it reads and writes; "activities" for the record's activities.
    field: str
    # The column header in files and the key in the API: stable, lower_snake_case English.
    header: str
    label: str | Promise
    data_type: ColumnType
    required: bool = False
    # For CHOICE/CHOICES: the model's TextChoices class.
    choices: type[models.TextChoices] | None = None
    help: str | Promise = ""
    # For RECORD: the name of the registry it points to (e.g. "media-outlets").
    target: str | None = None
    # Shown as a column of the list page.
    in_list: bool = False
    # Identifies or describes a person: never in logs or audit lines, never exported by a person without
    # the kind's ``export_people`` right, cleared when consent is withdrawn, erased on request.
    personal: bool = False


@dataclass(frozen=True)
class FileRule:
    """What files a record may carry (media: audio and video too), judged by content (core.files)."""

    kinds: tuple[str, ...]
    max_bytes: int


@dataclass(frozen=True)
class Count:
    """One thing an indicator may count in a registry (bound per indicator by a coordinator, like the
    events' derivation rules)."""

    # Stable code, e.g. "records", "beneficiaries", "authorities".
    key: str
    label: str | Promise
    # The date field that puts a record in a reporting period (None: counted in every period, e.g. a
    # registry that exists or not).
    date_field: str | None
    # Count distinct values of this field instead of rows (e.g. "beneficiary_code", "owner").
    distinct: str | None = None
    # Cells by sex and age band when the indicator's breakdown asks for them and the kind records them.
    sex_field: str | None = None
    age_field: str | None = None
    # Cells by any other dimension of the plan the kind records: {dimension code: (model field, {field
    # value: option code})}, e.g. {"service": ("service_type", {"legal_advice": "legal", ...})}; values
    # missing from the map fall in no cell (the total still counts them).
    dimensions: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # Only rows matching this (a Q-like dict of field lookups), e.g. {"state": "implemented"}.
    where: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SummaryTable:
    """A small table a kind shows above its list (and in its API list as ``summary``), worked out from the
    records listed (all pages, the list's filters applied): ``columns`` as (key, header), ``rows`` as
    {key: value} (JSON-ready values: text, numbers, None), ``shown`` the same rows as the page's text."""

    caption: str | Promise
    columns: tuple[tuple[str, str | Promise], ...]
    rows: tuple[dict[str, Any], ...]
    shown: tuple[tuple[str, ...], ...]

    def data(self) -> dict[str, Any]:
        return {"caption": str(self.caption), "rows": list(self.rows)}


@dataclass(frozen=True)
class RegistryKind:
    """Everything the generic parts need to know about one registry."""

    # In addresses and the API: /registries/<name>/, /api/v1/registries/<name>/ (lower-kebab, plural).
    name: str
    model: type[RegistryRecord]
    label: str | Promise  # "Media article"
    label_plural: str | Promise  # "Media articles"
    description: str | Promise  # one sentence for the index page: what it holds and why
    # The field that names a record in lists, links and RECORD columns (never a person's name for a
    # personal kind: a code or a title).
    title_field: str
    columns: tuple[Column, ...]
    visibility: Visibility
    # The plan activities it serves, by code, as the Azerbaijan plan numbers them; another plan binds
    # them by the same codes when it has them (the registry is still reachable from the registries index).
    activity_codes: tuple[str, ...] = ()
    counts: tuple[Count, ...] = ()
    files: FileRule | None = None
    # Person-level export: False for legal aid (never leaves the platform person by person).
    export_people: bool = True
    # Personal data kept: then ``retention_days`` applies (records purged after it) and the consent
    # and erasure steps exist.
    personal: bool = False
    retention_days: int | None = None
    # The field that holds the record's consent (personal kinds), if any.
    consent_field: str | None = None
    # The list's default order (model field names, "-" for descending).
    ordering: tuple[str, ...] = ("-id",)
    # One realistic record as a file row ({header: text}, the owner and activities left to the caller),
    # drawn with ``random``: the demo data, the generic tests and the hypothesis tests use it.
    examples: Callable[[Random], dict[str, str]] | None = None
    # Checks across columns (e.g. "a link or a file", "end after start"), given a whole record's values
    # by model field, as ``clean_values`` typed them: each problem as (header, code, translated message)
    # or a ``core.errors.Problem``. Single-column checks come from the declaration and the model.
    validate: Callable[[Mapping[str, Any]], Iterable[Any]] | None = None
    # A table worked out from the listed records (one query at most), shown above the list and given in
    # the API list as ``summary``: e.g. the share of women per position level and year (staff counts).
    summary: Callable[[Any], SummaryTable] | None = None

    def column(self, header: str) -> Column:
        for column in self.columns:
            if column.header == header:
                return column
        raise KeyError(header)

    @property
    def action_prefix(self) -> str:
        """The prefix of its actions in the permission gate: ``registry.<name>.list`` etc."""
        return f"registry.{self.name}"

    def action(self, verb: str) -> str:
        return f"{self.action_prefix}.{verb}"


# The actions each kind has in the gate (``kinds.permissions`` registers them per kind):
# list, view, create, edit, delete, import, export, counts.
ACTIONS = ("list", "view", "create", "edit", "delete", "import", "export", "counts")


def _record_ref() -> uuid.UUID:
    return uuid.uuid4()


class RegistryRecord(VersionedModel, TimeStampedModel):
    """What every registry record has: the plan, the organisation that keeps it, the activities it serves,
    a stable reference (``ref``: exported as ``record_id``, so that an exported file imports back into
    the same records and a re-import changes nothing), who made it, which import brought it, and, for
    personal kinds, the day it is purged. A concrete model adds its own fields; ``__str__`` must never
    show personal data (it reaches audit labels and logs)."""

    ref = models.UUIDField(_("record id"), default=_record_ref, unique=True, editable=False)
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("kept by")
    )
    activities = models.ManyToManyField(
        "plan.Activity", related_name="+", blank=True, verbose_name=_("activities")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Which import brought it (provenance; registries.RecordImport); no constraint, like participants.
    batch_id = models.PositiveBigIntegerField(_("import"), null=True, blank=True)
    # Personal kinds: purged by `wpsnap registries purge` once this day has passed.
    retain_until = models.DateField(_("keep until"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
