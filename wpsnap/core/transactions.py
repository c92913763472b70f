"""One guard for code that is only right inside the caller's transaction (a row lock, a key written
with the work it stands for)."""

from __future__ import annotations

from django.db import connection
from django.db.transaction import TransactionManagementError


def require_transaction(what: str) -> None:
    """Raise a programming error unless a transaction the platform opened is running.

    The test suite wraps every test in atomic blocks of its own, which Django's TestCase marks
    (``_from_testcase``); only a block the platform opened counts, so that a caller outside its
    transaction fails its tests as it would misbehave in production."""
    if not any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise TransactionManagementError(
            f"{what} must run inside the writing transaction (transaction.atomic)"
        )
