"""Structured problems (issue 10, item 3): ``Problem(field, code, message)`` from the services through
the forms and the API. The field is data, never inside the message; one function puts problems on a
form; one exception handler answers every error class with the status and code the class declares."""

from __future__ import annotations

from django import forms
from rest_framework import exceptions, serializers
from rest_framework.test import APIRequestFactory

from wpsnap.core.api import detail_problems, exception_handler
from wpsnap.core.errors import InvalidInput, Problem, WpsnapError, field_path
from wpsnap.core.forms import add_problems
from wpsnap.core.idempotency import KeyReused
from wpsnap.core.versions import Conflict, PreconditionRequired, StaleWrite


def test_a_refusal_is_built_from_problems_or_tuples_and_prints_field_and_message() -> None:
    """``InvalidInput`` takes Problems or (field, code, message) tuples alike; ``str()`` (for a terminal)
    puts each field before its message, and a problem of the whole request is its message alone."""
    refused = InvalidInput([("email", "required", "Give an address."), Problem("", "invalid", "Try again.")])
    assert refused.problems == [
        Problem("email", "required", "Give an address."),
        Problem("", "invalid", "Try again."),
    ]
    assert str(refused) == "email: Give an address.\nTry again."
    assert InvalidInput.one("file", "empty", "The file is empty.").problems == [
        Problem("file", "empty", "The file is empty.")
    ]


def test_renaming_keeps_the_class_and_changes_only_fields() -> None:
    """A page's field key renamed to the API's name by a table: the same class (a reused key stays 422),
    the same codes and messages."""
    refused = KeyReused.one("key", "key_reused", "Used before.")
    renamed = refused.renamed({"key": "Idempotency-Key"}.get)
    assert type(renamed) is KeyReused
    assert renamed.problems == [Problem("Idempotency-Key", "key_reused", "Used before.")]


def test_error_classes_declare_their_status_and_code() -> None:
    """Each error says what it answers in the API; a stale write is one problem for the request and one
    per field, with the version and both values beside them, and its ETag."""
    assert (InvalidInput.status, KeyReused.status, PreconditionRequired.status) == (400, 422, 428)
    assert (PreconditionRequired("Send it.").problems) == [
        Problem("If-Match", "precondition_required", "Send it.")
    ]
    stale = StaleWrite(version=2, current_version=3, conflicts=[Conflict("done", "Theirs.", "Mine.")])
    assert (stale.status, [(p.field, p.code) for p in stale.problems]) == (
        409,
        [("", "stale"), ("done", "stale")],
    )
    assert stale.extra() == {
        "version": 3,
        "conflicts": [{"field": "done", "current": "Theirs.", "yours": "Mine."}],
    }
    assert stale.headers() == {"ETag": '"3"'}
    assert [c.key for c in stale.renamed(str.upper).conflicts] == ["DONE"]


def test_the_handler_answers_any_error_class_as_it_declares() -> None:
    """A new error class needs no handler of its own: its status, code and field are the answer's."""

    class Teapot(WpsnapError):
        status = 418
        code = "teapot"
        field = "pot"

    request = APIRequestFactory().get("/api/v1/")
    response = exception_handler(Teapot("I am a teapot."), {"request": request, "view": None})
    assert response is not None
    assert (response.status_code, response.data) == (
        418,
        {"problems": [{"field": "pot", "code": "teapot", "message": "I am a teapot."}]},
    )


def test_field_paths_index_lists_and_bracket_keys_that_are_not_names() -> None:
    assert field_path("", "email") == "email"
    assert field_path("rows", 2) == "rows[2]"
    assert field_path("rows[2]", "sex") == "rows[2].sex"
    assert field_path("counts", "sex:women|age:18-24") == "counts[sex:women|age:18-24]"


def test_drf_errors_become_problems_at_their_paths_with_drfs_codes() -> None:
    """A serializer's nested errors: list items by index, dict keys by name, its own errors at its
    place, DRF's codes kept."""

    class Row(serializers.Serializer):
        sex = serializers.ChoiceField(choices=["women", "men"])

    class Body(serializers.Serializer):
        email = serializers.EmailField()
        rows = Row(many=True)
        counts = serializers.DictField(child=serializers.IntegerField())

    form = Body(data={"rows": [{"sex": "women"}, {"sex": "x"}], "counts": {"sex:women": "many"}})
    assert not form.is_valid()
    found = detail_problems(exceptions.ValidationError(form.errors).detail)
    assert [(p.field, p.code) for p in found] == [
        ("email", "required"),
        ("rows[1].sex", "invalid_choice"),
        ("counts[sex:women]", "invalid"),
    ]
    assert [(p.field, p.code) for p in detail_problems({"non_field_errors": ["Send one."]}, "body")] == [
        ("body", "invalid")
    ]


class _Form(forms.Form):
    email = forms.CharField(required=False)
    v12_total = forms.CharField(required=False)


def test_problems_go_next_to_their_field_or_above_the_form() -> None:
    """A problem whose field the form has goes next to it (named by a table where the service's key
    differs from the form's name); any other goes to the form's own errors and is returned."""
    form = _Form(data={"email": "a@b"})
    rest = add_problems(
        form,
        [
            Problem("email", "exists", "Someone has it."),
            Problem("counts[total]", "invalid", "Not a number."),
            Problem("period", "invalid", "Another plan's."),
        ],
        {"counts[total]": "v12_total"},
    )
    assert form.errors == {
        "email": ["Someone has it."],
        "v12_total": ["Not a number."],
        "__all__": ["Another plan's."],
    }
    assert rest == [Problem("period", "invalid", "Another plan's.")]
