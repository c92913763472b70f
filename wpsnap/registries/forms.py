"""Forms of the events pages. They read what was typed and hand it to the services, which judge it;
a service's problems are shown next to the field they name (``core.forms.add_problems``), with what was typed
left in place. Every choice comes from the plan or the user's agency, so an unknown value is a
message next to its field, never a server error."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wpsnap.accounts.models import Organisation
from wpsnap.core import versions
from wpsnap.core.errors import Problem
from wpsnap.core.forms import add_problems
from wpsnap.plan.models import Activity, Plan
from wpsnap.reporting.disaggregation import BreakdownSpec, cell_key

from .models import (
    DIALOGUE_KINDS,
    TEXT_MAX,
    Event,
    EventFilePurpose,
    EventKind,
    Measure,
    Participation,
    Topic,
)
from .services.events import EventInput, count_key


def _style(form: forms.Form) -> None:
    for form_field in form.fields.values():
        widget = form_field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _mark_invalid(form: forms.Form) -> None:
    """Bootstrap's look for a field with a problem (Django adds aria-invalid itself)."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class _Form(forms.Form):
    """What every form of these pages offers its templates."""

    @property
    def problem_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())

    def mark_problems(self) -> None:
        _mark_invalid(self)


def activity_label(activity: Activity) -> str:
    code = activity.code or activity.key
    return f"{code} · {Truncator(activity.tr('text')).words(18)}"


# --- the list's filters --------------------------------------------------------------------------


class EventFilterForm(_Form):
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    organiser = forms.ChoiceField(label=gettext_lazy("Organiser"), required=False)

    def __init__(
        self, data: Any, *, plan: Plan, activities: list[Activity], organisers: list[Organisation]
    ) -> None:
        super().__init__(data, auto_id="filter-%s")
        self.activities = {str(a.pk): a for a in activities}
        self.organisers = {o.key: o for o in organisers}
        choices: dict[str, list[tuple[Any, Any]]] = {
            "activity": [
                ("", _("All activities")),
                *((str(a.pk), Truncator(activity_label(a)).chars(80)) for a in activities),
            ],
            "kind": [("", _("All types")), *EventKind.choices],
            "year": [("", _("All years")), *((y, str(y)) for y in plan.years())],
            "organiser": [("", _("All organisers")), *((o.key, o.label) for o in organisers)],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
            self.fields[name].error_messages["invalid_choice"] = _(
                "“%(value)s” is not in the list. Choose one from the list."
            )
        _style(self)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "activity": self.activities.get(data.get("activity") or ""),
            "kind": data.get("kind") or "",
            "year": data.get("year"),
            "organiser": self.organisers.get(data.get("organiser") or ""),
        }


# --- an event ------------------------------------------------------------------------------------


LIST_FIELDS = ("activities", "topics", "partners")


class EventForm(_Form):
    """An event: what, which activities, when, where, with whom, about what, and how its participants
    are recorded. Field names are the service's, so its problems land next to their fields."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy(
            "As it was announced, e.g. “UNSCR 1325 for officers of the Military Academy”."
        ),
        error_messages={"required": gettext_lazy("Give the event a title.")},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type of event"),
        choices=[("", gettext_lazy("Choose…")), *EventKind.choices],
        error_messages={
            "required": gettext_lazy("Choose the type of event."),
            "invalid_choice": gettext_lazy("Choose one of the types in the list."),
        },
    )
    starts_on = forms.DateField(
        label=gettext_lazy("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Give the day the event started."),
            "invalid": gettext_lazy("Enter a date such as 2021-03-10."),
        },
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave blank for a one-day event."),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2021-03-11.")},
    )
    activities = forms.MultipleChoiceField(
        label=gettext_lazy("Activities of the plan it implements"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Choose at least one activity of the plan."),
            "invalid_choice": gettext_lazy("Choose activities from the list."),
        },
    )
    participation = forms.ChoiceField(
        label=gettext_lazy("How are the participants recorded?"),
        choices=Participation.choices,
        initial=Participation.LIST,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a list or counts.")},
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Choose topics from the list.")},
    )
    other_topics = forms.CharField(
        label=gettext_lazy("Other topics"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Anything the list above does not have, separated by commas."),
    )
    district = forms.ChoiceField(
        label=gettext_lazy("District"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a district from the list.")},
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The venue or town; “online” for an online event."),
    )
    partners = forms.MultipleChoiceField(
        label=gettext_lazy("Partner organisations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Their people will see the event (not the list of participants)."),
        error_messages={"invalid_choice": gettext_lazy("Choose partners from the list.")},
    )
    content = forms.CharField(
        label=gettext_lazy("Content"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The agenda in a few lines; add the agenda and materials as files afterwards."
        ),
    )
    outcomes = forms.CharField(
        label=gettext_lazy("Outcomes"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    issues_raised = forms.CharField(
        label=gettext_lazy("Issues raised by the participants"),
        help_text=gettext_lazy(
            "What was raised, not who raised it: no names or details that point to a person. "
            "Evaluators and partner organisations read this."
        ),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answers_given = forms.CharField(
        label=gettext_lazy("Answers given"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    # Fields shown only for consultations and surveys (the page's script hides them for the others).
    DIALOGUE_FIELDS = ("issues_raised", "answers_given")

    def __init__(
        self,
        data: Any = None,
        *,
        activities: list[Activity],
        topics: list[Topic],
        partners: list[Organisation],
        districts: dict[str, str],
        event: Event | None = None,
    ) -> None:
        super().__init__(data, initial=_initial(event) if event is not None else None)
        self.activity_objects = {str(a.pk): a for a in activities}
        self.topic_objects = {str(t.pk): t for t in topics}
        self.partner_objects = {str(o.pk): o for o in partners}
        fields = self.fields
        cast(forms.ChoiceField, fields["activities"]).choices = [
            (str(a.pk), activity_label(a)) for a in activities
        ]
        cast(forms.ChoiceField, fields["topics"]).choices = [(str(t.pk), str(t)) for t in topics]
        cast(forms.ChoiceField, fields["partners"]).choices = [(str(o.pk), str(o)) for o in partners]
        cast(forms.ChoiceField, fields["district"]).choices = [
            ("", _("None: national or online")),
            *sorted(districts.items(), key=lambda item: item[1]),
        ]
        fields["kind"].widget.attrs["data-dialogue-kinds"] = " ".join(DIALOGUE_KINDS)
        _style(self)

    @property
    def dialogue_kinds(self) -> str:
        return " ".join(DIALOGUE_KINDS)

    def to_input(self) -> EventInput:
        """What was typed, for the services. Call after ``is_valid()`` returned True."""
        data = self.cleaned_data
        kind = data["kind"]
        dialogue = kind in DIALOGUE_KINDS
        return EventInput(
            kind=kind,
            title=data["title"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on") or data["starts_on"],
            activities=[self.activity_objects[pk] for pk in data["activities"]],
            topics=[self.topic_objects[pk] for pk in data.get("topics") or []],
            partners=[self.partner_objects[pk] for pk in data.get("partners") or []],
            other_topics=data.get("other_topics") or "",
            district=data.get("district") or "",
            place=data.get("place") or "",
            content=data.get("content") or "",
            outcomes=data.get("outcomes") or "",
            # Typed while the event was a consultation, then the type changed: not a dialogue any more.
            issues_raised=(data.get("issues_raised") or "") if dialogue else "",
            answers_given=(data.get("answers_given") or "") if dialogue else "",
            participation=data["participation"],
            version=versions.posted_version(self.data),
            changed=self.changed_keys(),
        )

    def _posted_text(self, name: str) -> str:
        if name in LIST_FIELDS:
            return ",".join(sorted(cast(QueryDict, self.data).getlist(name)))
        return str(self.data.get(name, ""))

    def changed_keys(self) -> frozenset[str] | None:
        """The fields the person changed from what the form showed (its ``base``); None without one."""
        base = versions.posted_base(self.data)
        if base is None:
            return None
        return frozenset(
            name for name in self.fields if not versions.untouched(name, self._posted_text(name), base)
        )

    def texts(self) -> dict[str, str]:
        """The text of every field as this (unbound) form shows it: the form's ``base``."""
        texts = {}
        for name in self.fields:
            value = self[name].value()
            if name in LIST_FIELDS:
                texts[name] = ",".join(sorted(str(item) for item in value or []))
            else:
                texts[name] = versions.as_text(value)
        return texts

    def rebased(self, current: dict[str, str]) -> Any:
        """The posted data of a refused stale form, each field the person left alone set to what is
        stored now (``current``), so that saving it again keeps the others' changes."""
        base = versions.posted_base(self.data)
        fresh = cast(QueryDict, self.data).copy()
        for name, text in current.items():
            if name in self.fields and versions.untouched(name, self._posted_text(name), base):
                if name in LIST_FIELDS:
                    fresh.setlist(name, text.split(",") if text else [])
                else:
                    fresh[name] = text
        return fresh


def _initial(event: Event) -> dict[str, Any]:
    return {
        "title": event.title,
        "kind": event.kind,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "activities": [str(a.pk) for a in event.activities.all()],
        "participation": event.participation,
        "topics": [str(t.pk) for t in event.topics.all()],
        "other_topics": event.other_topics,
        "district": event.district,
        "place": event.place,
        "partners": [str(o.pk) for o in event.partners.all()],
        "content": event.content,
        "outcomes": event.outcomes,
        "issues_raised": event.issues_raised,
        "answers_given": event.answers_given,
    }


class EventFileForm(_Form):
    purpose = forms.ChoiceField(
        label=gettext_lazy("What the file is"),
        choices=EventFilePurpose.choices,
        initial=EventFilePurpose.MATERIALS,
        error_messages={"invalid_choice": gettext_lazy("Choose agenda, materials or other.")},
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A PDF, image, office document or text file. Its content is checked, whatever its name says. "
            "Not attendance sheets or lists with names: evaluators and partners can open these files; "
            "record people in the participant list, where they are protected."
        ),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "file_%s")
        super().__init__(*args, **kwargs)
        _style(self)


# --- participants --------------------------------------------------------------------------------


class ParticipantImportForm(_Form):
    """Participants from a file or from rows pasted from a spreadsheet, added to the list or replacing it."""

    file = forms.FileField(
        label=gettext_lazy("The template filled in (Excel or CSV)"),
        required=False,
        error_messages={"empty": gettext_lazy("The file is empty.")},
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the rows from a spreadsheet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Copy the rows in the spreadsheet, the header row first, and paste them here. Rows typed with commas or semicolons between the values work too."
        ),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the current list (the participants recorded now are removed)"),
        required=False,
    )
    # An import of rows the event already holds from an earlier import is refused, unless this is ticked.
    allow_duplicate = forms.BooleanField(
        label=gettext_lazy("Add anyway, even if these participants were imported into this event before"),
        required=False,
    )
    # The import's idempotency key, made when the page is shown: the same form sent twice (a double
    # click, a retry after a lost connection) imports once. Optional, so that a page shown before it
    # existed still works.
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_token())
        _style(self)
        self.fields["text"].widget.attrs["class"] += " font-monospace"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_file = bool(data.get("file"))
        has_text = bool((data.get("text") or "").strip())
        if not has_file and not has_text:
            raise forms.ValidationError(_("Choose a file, or paste the rows with the header row first."))
        if has_file and has_text:
            raise forms.ValidationError(
                _("Give either a file or pasted rows, not both: clear the pasted rows or the file.")
            )
        return data


def new_token() -> str:
    """A fresh idempotency key for a form."""
    return secrets.token_urlsafe(24)


# --- counts (events without a list) --------------------------------------------------------------


def count_field(key: str) -> str:
    return "n-" + key.replace(":", "-").replace("|", "--")


@dataclass
class CountsGridRow:
    header: str
    header_id: str
    cells: list[BoundField]


@dataclass
class CountsGrid:
    row_title: str
    col_title: str
    columns: list[tuple[str, str]]  # (label, header id)
    rows: list[CountsGridRow]


class CountsForm(_Form):
    """The number of participants in each sex x age band cell; a blank cell is none."""

    def __init__(self, data: Any = None, *, spec: BreakdownSpec, counts: dict[str, int]) -> None:
        super().__init__(data, auto_id="id_%s")
        self.spec = spec
        self.keys: dict[str, str] = {}
        # The services' field key of each cell (``counts[sex:women|age:18-24]``) to this form's field.
        self.cell_fields: dict[str, str] = {}
        for cell in spec.cells():
            name = count_field(cell.key)
            self.keys[name] = cell.key
            self.cell_fields[count_key(cell.key)] = name
            self.fields[name] = forms.CharField(
                label=", ".join(cell.labels),
                required=False,
                max_length=12,
                initial=str(counts[cell.key]) if counts.get(cell.key) else "",
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "autocomplete": "off",
                        "class": "form-control figure-input",
                    }
                ),
            )
        self.grid = self._grid()

    def counts(self) -> dict[str, str | int]:
        """{cell key: text as typed} for ``services.events.counts_save``."""
        data = self.cleaned_data
        return {key: data.get(name) or "" for name, key in self.keys.items()}

    def add_service_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, self.cell_fields)
        _mark_invalid(self)

    def _grid(self) -> CountsGrid | None:
        rows_dim, cols_dim = self.spec.grid()
        if rows_dim is None or cols_dim is None:
            return None
        columns = [(o.label, f"counts-c{j}") for j, o in enumerate(cols_dim.options)]
        rows = []
        for i, row_option in enumerate(rows_dim.options):
            header_id = f"counts-r{i}"
            cells = []
            for j, col_option in enumerate(cols_dim.options):
                key = cell_key([(rows_dim.code, row_option.code), (cols_dim.code, col_option.code)])
                bound = self[count_field(key)]
                bound.field.widget.attrs.update(
                    {
                        "aria-labelledby": f"{header_id} {columns[j][1]}",
                        "data-grid": "0",
                        "data-row": str(i),
                        "data-col": str(j),
                        "data-cell": "",
                    }
                )
                cells.append(bound)
            rows.append(CountsGridRow(row_option.label, header_id, cells))
        return CountsGrid(rows_dim.label, cols_dim.label, columns, rows)


# --- derivation rules ----------------------------------------------------------------------------


class RuleForm(_Form):
    """Which events count for one indicator, and what is counted."""

    measure = forms.ChoiceField(
        label=gettext_lazy("What is counted"),
        choices=Measure.choices,
        initial=Measure.PARTICIPANTS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose participants or events.")},
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Types of event that count"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every type counts."),
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics that count"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: any topic counts; several: an event on any of them counts."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        indicator_id: int,
        topics: list[Topic],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial, auto_id=f"rule-{indicator_id}-%s")
        self.indicator_id = indicator_id
        self.topic_objects = {str(t.pk): t for t in topics}
        cast(forms.ChoiceField, self.fields["topics"]).choices = [(str(t.pk), str(t)) for t in topics]
        _style(self)

    def chosen_topics(self) -> list[Topic]:
        return [self.topic_objects[pk] for pk in self.cleaned_data.get("topics") or []]


class RegistryRuleForm(forms.Form):
    """Which registry count gives one indicator's figures (issue 14)."""

    count = forms.ChoiceField(
        label=gettext_lazy("What is counted"),
        error_messages={"required": gettext_lazy("Choose one of the registries' counts.")},
    )

    def __init__(
        self, data: Any = None, *, indicator_id: int, counts: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, auto_id=f"registry-rule-{indicator_id}-%s", **kwargs)
        self.indicator_id = indicator_id
        cast(forms.ChoiceField, self.fields["count"]).choices = [("", "—"), *counts]
