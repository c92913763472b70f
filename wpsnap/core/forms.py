"""The one way a page shows a service's problems on its form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms

from .errors import Problem


def add_problems(
    form: forms.BaseForm, problems: Iterable[Problem], fields: Mapping[str, str] | None = None
) -> list[Problem]:
    """Put each problem next to its field when ``form`` has that field, else among the form's non-field
    errors. ``fields`` renames a service's field keys to the form's field names where they differ (a
    table built from data, such as the counts form's cells). Returns the problems that went to the
    non-field errors, for a page that shows those as messages instead.

    A bound form is validated first if it was not (Django adds errors only to cleaned forms)."""
    if form.is_bound and not hasattr(form, "cleaned_data"):
        form.is_valid()
    elsewhere = []
    for problem in problems:
        name = (fields or {}).get(problem.field, problem.field)
        if name and name in form.fields:
            form.add_error(name, problem.message)
        else:
            form.add_error(None, problem.message)
            elsewhere.append(problem)
    return elsewhere
