"""The API's OpenAPI description: valid without a warning, complete, and its browsable docs served
from our own static files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

from wpsnap.registries.kinds import catalogue

from ..conftest import ROOT

WPSNAP = str(Path(sys.executable).parent / "wpsnap")

# The plan's parts and what a report keeps beside its content, each with a list (and a detail).
PLAN_PARTS = (
    "pillars",
    "objectives",
    "expected-results",
    "priority-areas",
    "activities",
    "indicators",
    "assignments",
)
REPORT_PARTS = ("evidence", "comments", "transitions", "versions")

# Every endpoint, with each method and the responses it documents (and 400 and 429, which every one adds).
STEP_CODES = {"200", "400", "401", "403", "404", "409"}
DOCUMENTED = {
    ("/api/v1/periods/", "get"): {"200", "400", "401"},
    ("/api/v1/periods/{id}/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/values/", "get"): {"200", "400", "401", "403"},
    ("/api/v1/reports/", "get"): {"200", "400", "401", "403"},
    ("/api/v1/reports/", "post"): {"200", "201", "400", "401", "403", "409"},
    ("/api/v1/reports/{id}/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/reports/{id}/", "patch"): {"200", "400", "401", "403", "404", "409", "428"},
    **{
        (f"/api/v1/reports/{{id}}/{step}/", "post"): STEP_CODES
        for step in ("submit", "endorse", "approve", "return", "publish", "unpublish")
    },
    ("/api/v1/results/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/plans/", "get"): {"200", "400", "401"},
    ("/api/v1/plans/{slug}/", "get"): {"200", "401", "404"},
    ("/api/v1/organisations/", "get"): {"200", "400", "401"},
    ("/api/v1/organisations/{id}/", "get"): {"200", "401", "404"},
    **{(f"/api/v1/{part}/", "get"): {"200", "400", "401"} for part in PLAN_PARTS},
    **{(f"/api/v1/{part}/{{id}}/", "get"): {"200", "401", "404"} for part in PLAN_PARTS},
    **{
        (f"/api/v1/reports/{{id}}/{part}/", "get"): {"200", "400", "401", "403", "404"}
        for part in REPORT_PARTS
    },
    **{
        (f"/api/v1/reports/{{id}}/{part}/", "get"): {"200", "401", "403", "404"}
        for part in ("evidence/{evidence_id}", "evidence/{evidence_id}/file", "versions/{number}")
    },
    ("/api/v1/events/{id}/files/", "get"): {"200", "400", "401", "403", "404"},
    ("/api/v1/events/{id}/files/{file_id}/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/events/{id}/files/{file_id}/file/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/topics/{code}/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/me/", "get"): {"200", "401"},
    ("/api/v1/users/", "get"): {"200", "400", "401", "403"},
    ("/api/v1/users/", "post"): {"201", "400", "401", "403"},
    ("/api/v1/users/{id}/", "get"): {"200", "401", "404"},
    ("/api/v1/users/{id}/", "patch"): {"200", "400", "401", "403", "404", "409", "428"},
    ("/api/v1/audit/", "get"): {"200", "400", "401", "403"},
    ("/api/v1/jobs/", "get"): {"200", "400", "401"},
    ("/api/v1/jobs/{id}/", "get"): {"200", "401", "404"},
    ("/api/v1/jobs/{id}/file/", "get"): {"200", "401", "404"},
    ("/api/v1/events/", "get"): {"200", "400", "401", "403"},
    ("/api/v1/events/", "post"): {"201", "400", "401", "403", "409"},
    ("/api/v1/events/{id}/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/events/{id}/", "put"): {"200", "400", "401", "403", "404", "409", "428"},
    ("/api/v1/events/{id}/", "patch"): {"200", "400", "401", "403", "404", "409", "428"},
    ("/api/v1/events/{id}/", "delete"): {"204", "401", "403", "404", "409", "428"},
    ("/api/v1/events/{id}/participants/", "get"): {"200", "400", "401", "403", "404"},
    ("/api/v1/events/{id}/participants/", "post"): {
        "201",
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    },
    ("/api/v1/events/{id}/participants/{participant_id}/", "delete"): {
        "204",
        "401",
        "403",
        "404",
        "409",
        "428",
    },
    ("/api/v1/events/{id}/counts/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/events/{id}/counts/", "put"): {"200", "400", "401", "403", "404", "409", "428"},
    ("/api/v1/topics/", "get"): {"200", "400", "401", "403"},
    ("/api/v1/derived/", "get"): {"200", "400", "401", "403", "404"},
    # The dashboards' figures; results and derived served under /analytics/ too.
    **{
        (f"/api/v1/analytics/{name}/", "get"): {"200", "400", "401", "403", "404"}
        for name in (
            "status",
            "compliance",
            "people",
            "financing",
            "indicators",
            "timeline",
            "districts",
            "derived",
        )
    },
    ("/api/v1/analytics/results/", "get"): {"200", "401", "403", "404"},
    # The public API (issue 13): anonymous callers, read-only, published figures only.
    ("/api/v1/public/plans/", "get"): {"200", "400"},
    ("/api/v1/public/plans/{slug}/", "get"): {"200", "400", "404"},
    ("/api/v1/public/plans/{slug}/indicators/{key}/figures/", "get"): {"200", "400", "404"},
    ("/api/v1/public/plans/{slug}/reports/", "get"): {"200", "400", "404"},
}
# Every registry kind (issue 14): /api/v1/registries/<name>/, made from its declaration.
DOCUMENTED |= {
    operation: codes
    for kind in catalogue.kinds()
    for operation, codes in {
        (f"/api/v1/registries/{kind.name}/", "get"): {"200", "400", "401", "403"},
        (f"/api/v1/registries/{kind.name}/", "post"): {"201", "400", "401", "403", "409"},
        (f"/api/v1/registries/{kind.name}/import/", "post"): {
            "200",
            "201",
            "400",
            "401",
            "403",
            "409",
            "413",
        },
        (f"/api/v1/registries/{kind.name}/{{record_id}}/", "get"): {"200", "401", "403", "404"},
        **{
            (f"/api/v1/registries/{kind.name}/{{record_id}}/", method): {
                "200",
                "400",
                "401",
                "403",
                "404",
                "409",
                "428",
            }
            for method in ("put", "patch")
        },
        (f"/api/v1/registries/{kind.name}/{{record_id}}/", "delete"): {
            "204",
            "401",
            "403",
            "404",
            "409",
            "428",
        },
    }.items()
}
# The search by POST (every kind: names and codes stay out of addresses).
DOCUMENTED |= {
    (f"/api/v1/registries/{kind.name}/search/", "post"): {"200", "400", "401", "403"}
    for kind in catalogue.kinds()
}
# Consent withdrawn and erasure on request (kinds/lifecycle_views.py): the registries of people only.
DOCUMENTED |= {
    (f"/api/v1/registries/{kind.name}/{{record_id}}/erase/", "post"): {"200", "400", "401", "403", "404"}
    for kind in catalogue.kinds()
    if kind.personal
}
DOCUMENTED |= {
    (f"/api/v1/registries/{kind.name}/{{record_id}}/withdraw-consent/", "post"): {"204", "401", "403", "404"}
    for kind in catalogue.kinds()
    if kind.personal and kind.consent_field
}
# Every operation documents 400 (an address or query string carrying control characters is refused
# before any view runs), 429 and 503 (the database cannot be reached: core.outage).
OPERATIONS = {operation: codes | {"400", "429", "503"} for operation, codes in DOCUMENTED.items()}


def _ref(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


@pytest.fixture(scope="module")
def schema() -> dict:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_without_warnings(tmp_path) -> None:
    """`wpsnap spectacular --validate --fail-on-warn` writes a valid OpenAPI 3 file and warns of nothing."""
    out = tmp_path / "schema.yaml"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [WPSNAP, "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["openapi"].startswith("3.")


def test_the_schema_lists_every_endpoint_with_its_errors(schema) -> None:
    """GET /api/v1/schema/ is an OpenAPI 3 document naming every endpoint, method and error response."""
    assert schema["openapi"].startswith("3.")
    found = {
        (path, method): set(operation["responses"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert found == OPERATIONS
    for (path, method), codes in OPERATIONS.items():
        for code in codes - {"200", "201", "202", "204"}:
            content = schema["paths"][path][method]["responses"][code]["content"]["application/json"]
            assert content["schema"]["$ref"] == f"#/components/schemas/{_error_schema(path, method, code)}", (
                path,
                method,
                code,
            )


def _error_schema(path: str, method: str, code: str) -> str:
    """The body each error documents: every error the one body of problems, except a 409 of a write on
    an existing report or event, which may also be a stale write (the problems with the version stored
    now and the conflicts). An account changed since its ETag is a plain refusal."""
    if (
        code == "409"
        and path != "/api/v1/users/{id}/"
        and ("428" in OPERATIONS[(path, method)] or path.startswith("/api/v1/reports/{id}/"))
    ):
        return "Conflict"
    return "Problems"


def test_the_error_bodies_are_documented_once(schema) -> None:
    """``Problems`` is a list of {field, code, message}, all required; ``Conflict`` is the same list with
    the stale write's ``version`` and ``conflicts``; no other error body (``detail``, ``errors``) is left."""
    problems = _ref(schema, "Problems")
    assert set(problems["properties"]) == set(problems["required"]) == {"problems"}
    problem = _ref(schema, problems["properties"]["problems"]["items"]["$ref"].rsplit("/", 1)[1])
    assert set(problem["properties"]) == set(problem["required"]) == {"field", "code", "message"}
    conflict = _ref(schema, "Conflict")
    assert set(conflict["properties"]) == {"problems", "version", "conflicts"}
    assert conflict["required"] == ["problems"]
    assert not {"Errors", "Detail", "LockedOrConflict"} & set(schema["components"]["schemas"])


def test_the_request_bodies_are_precise(schema) -> None:
    """The invitation's body names its five required fields; a PATCH accepts role and is_active only."""
    invite = _ref(schema, "UserInviteRequest")
    assert set(invite["properties"]) == {"email", "first_name", "last_name", "organisation", "role"}
    assert set(invite["required"]) == set(invite["properties"])
    patch = schema["paths"]["/api/v1/users/{id}/"]["patch"]["requestBody"]["content"]["application/json"]
    change = _ref(schema, patch["schema"]["$ref"].rsplit("/", 1)[1])
    assert set(change["properties"]) == {"role", "is_active"}
    assert "required" not in change


def test_the_audit_trail_never_documents_addresses(schema) -> None:
    """No IP address is part of what the API shows of an audit event."""
    assert "ip_address" not in _ref(schema, "AuditEvent")["properties"]


def test_the_docs_page_uses_our_own_static_files() -> None:
    """/api/v1/docs/ is an HTML page whose scripts and styles come from /static/ (the sidecar) or from the
    page's own address (its start-up script, served separately so that the CSP allows it): no CDN, no
    inline script."""
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    styles = re.findall(r'<link[^>]*\shref="([^"]+)"', page)
    assert scripts
    own = ("/static/drf_spectacular_sidecar/", "/api/v1/docs/?")
    assert all(url.startswith(own) for url in [*scripts, *styles])
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert not re.search(r"https?://", " ".join([*scripts, *styles]))


def test_only_public_endpoints_are_documented_without_credentials(schema) -> None:
    """Plans, their parts and organisations may be read anonymously (an empty security requirement);
    everything else needs a token or a session."""
    anonymous = {
        (path, method)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if {} in operation["security"]
    }
    assert anonymous == {
        ("/api/v1/plans/", "get"),
        ("/api/v1/plans/{slug}/", "get"),
        ("/api/v1/organisations/", "get"),
        ("/api/v1/organisations/{id}/", "get"),
        *{(f"/api/v1/{part}/", "get") for part in PLAN_PARTS},
        *{(f"/api/v1/{part}/{{id}}/", "get") for part in PLAN_PARTS},
        ("/api/v1/public/plans/", "get"),
        ("/api/v1/public/plans/{slug}/", "get"),
        ("/api/v1/public/plans/{slug}/indicators/{key}/figures/", "get"),
        ("/api/v1/public/plans/{slug}/reports/", "get"),
    }
    assert all(
        {"tokenAuth": []} in operation["security"]
        for methods in schema["paths"].values()
        for operation in methods.values()
    )
