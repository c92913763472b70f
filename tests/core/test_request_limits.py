"""A body declared larger than its route takes is refused by ``Content-Length`` before anything reads it
(issue 9, item 9): 413, JSON under /api/, a page elsewhere. Each request here carries a body stream that
fails the test if it is read at all, so a 413 proves nothing was read."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from wpsnap.core.middleware import BODY_SLACK, RequestLimitsMiddleware

from ..conftest import problems_of, sign_in

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class Unreadable:
    """A request body that must never be read."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def declared(size: int, content_type: str = "multipart/form-data; boundary=x") -> dict[str, object]:
    """The WSGI environ of a body that says it is ``size`` bytes long and cannot be read."""
    return {"CONTENT_LENGTH": str(size), "CONTENT_TYPE": content_type, "wsgi.input": Unreadable()}


@pytest.fixture
def report(make_user, az_plan):
    from wpsnap.reporting import services

    services.reporting_setup(plan=az_plan)
    focal = make_user("focal_point", "mod", "mod-focal")
    report = services.report_start(
        actor=focal,
        activity=az_plan.activities.get(code="5.1.2.3"),
        agency=focal.organisation,
        period=az_plan.reporting_periods.get(label="2022"),
    )
    return focal, report


def test_a_200_mb_evidence_upload_is_refused_unread(client, report) -> None:
    """The evidence form takes 20 MB: 200 MB declared answers 413 at once, with a page that says so."""
    focal, draft = report
    sign_in(client, focal)
    response = client.generic("POST", f"/reports/{draft.pk}/evidence/", **declared(200 * MB))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "larger than 20 MB" in response.content.decode()


def test_an_api_body_too_large_is_refused_unread_in_the_error_shape(client) -> None:
    """Under /api/ the answer is JSON ``{"problems": [{"field": "body", "code": "too_large", ...}]}``; a
    participant file may be 50 MB."""
    response = client.generic("POST", "/api/v1/events/1/participants/", **declared(60 * MB))
    assert response.status_code == 413
    [problem] = problems_of(response)
    assert (problem["field"], problem["code"]) == ("body", "too_large")
    assert problem["message"].startswith("What was sent is larger than 50 MB")
    # An ordinary endpoint takes DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB).
    json_body = client.generic("POST", "/api/v1/events/", **declared(6 * MB, "application/json"))
    assert json_body.status_code == 413
    assert "larger than 5 MB" in problems_of(json_body)[0]["message"]


def test_an_unknown_address_takes_the_default_limit(client) -> None:
    """A body to an address nothing answers is refused by the default limit too."""
    assert client.generic("POST", "/no-such-page/", **declared(6 * MB)).status_code == 413


def test_a_limit_follows_its_setting(client, settings) -> None:
    """The limit is read from the setting at each request."""
    settings.WPSNAP_PARTICIPANTS_MAX_BYTES = 80 * MB
    allowed = RequestLimitsMiddleware(lambda request: HttpResponse("reached the view"))
    request = RequestFactory().generic("POST", "/api/v1/events/1/participants/", **declared(60 * MB))
    assert allowed(request).content == b"reached the view"


@pytest.mark.parametrize(
    ("path", "size", "reached"),
    [
        ("/api/v1/events/", 5 * MB + BODY_SLACK, True),  # the default limit and its slack
        ("/api/v1/events/", 5 * MB + BODY_SLACK + 1, False),
        ("/reports/1/evidence/", 20 * MB + BODY_SLACK, True),
        ("/reports/1/evidence/", 20 * MB + BODY_SLACK + 1, False),
        ("/events/1/participants/import/", 50 * MB, True),
        ("/events/1/files/", 21 * MB, False),
    ],
)
def test_each_route_has_its_limit(path, size, reached) -> None:
    """Within its route's limit a body reaches the view (unread by the middleware); over it, 413."""
    middleware = RequestLimitsMiddleware(lambda request: HttpResponse("reached the view"))
    response = middleware(RequestFactory().generic("POST", path, **declared(size)))
    assert (response.status_code == 200) is reached
    assert (response.status_code == 413) is not reached


def test_a_body_without_a_declared_length_keeps_djangos_limits() -> None:
    """Chunked transfer (no Content-Length) is passed on: Django's own limits apply as it reads."""
    middleware = RequestLimitsMiddleware(lambda request: HttpResponse("reached the view"))
    request = RequestFactory().generic("POST", "/api/v1/events/", HTTP_TRANSFER_ENCODING="chunked")
    request.META.pop("CONTENT_LENGTH", None)
    assert middleware(request).content == b"reached the view"
