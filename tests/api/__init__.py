"""Tests of the REST API under /api/v1/, and the small helpers they share: people of each role in
organisations that fit the role, and API clients that authenticate with a token."""

from __future__ import annotations

from rest_framework.test import APIClient

from wpsnap.accounts import services
from wpsnap.accounts.models import Organisation, OrganisationKind, Role, User

# The kind of organisation each role is created in (the database refuses a role without one, and the
# services refuse a role that does not fit the organisation's kind).
ROLE_KIND = {
    Role.COORDINATOR: OrganisationKind.STATE_COMMITTEE,
    Role.APPROVER: OrganisationKind.MINISTRY,
    Role.FOCAL_POINT: OrganisationKind.MINISTRY,
    Role.NGO_CONTRIBUTOR: OrganisationKind.NGO,
    Role.EVALUATOR: OrganisationKind.EVALUATOR,
}


def organisation(kind: str, *, key: str = "", country: str = "AZ") -> Organisation:
    """A test organisation of ``kind`` (keys start with ``test-`` so as not to meet the plan's)."""
    key = key or f"test-{kind}".replace("_", "-")
    found, _ = Organisation.objects.get_or_create(
        country=country, key=key, defaults={"name": f"Test {kind}", "kind": kind}
    )
    return found


def person(username: str, role: str, *, org: Organisation | None = None) -> User:
    """A signed-up person with ``role`` in an organisation that fits it."""
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        first_name=username.capitalize(),
        last_name="Tester",
        organisation=org or organisation(ROLE_KIND[Role(role)]),
        role=role,
    )


def token_client(user: User) -> APIClient:
    """An API client that sends a fresh token of ``user`` in the Authorization header, and whose writes
    name any version (``If-Match: *``): most API tests are about content and access; stale writes and
    the 428 for a missing If-Match are tests/reporting/test_concurrency.py's and
    tests/registries/test_event_concurrency.py's."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {services.token_create(user=user)}", HTTP_IF_MATCH="*")
    return client
