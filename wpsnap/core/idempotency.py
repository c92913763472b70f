"""Idempotency keys: a request sent twice (a retry after a lost answer, a double click) is done once.

A service that accepts a key claims it inside the transaction of its work, before the work, and
settles it with what the work did, in the same transaction. So the key exists exactly when the work
committed: a worker killed at COMMIT leaves both or neither, and the client's retry with the same key
gets the first answer instead of doing the work again. Two requests with one key at the same moment
meet at the key's unique index: the second waits for the first's transaction, then answers as a retry
(or, if the first was refused and rolled back, does the work itself). The same key with another
request (another file, object or person) is refused, never answered with the first one's result.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import IdempotencyKey
from .transactions import require_transaction

# What a key may be: visible ASCII, as HTTP headers carry it (a UUID is the usual choice). A key sent
# as a structured-field string ("...") is read without its quotes.
_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class KeyReused(InvalidInput):
    """The key was used before for a different request: refused, nothing done (422)."""

    status = 422


def fingerprint(*parts: object) -> str:
    """The checksum of what a request asks, from its parts (who, on what, the content's checksum)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def idempotency_key_claim(*, scope: str, key: str, actor: Any, request_sha256: str) -> IdempotencyKey:
    """Claim ``key`` for a request inside the transaction of its work. Returns the key's row: with
    ``result`` None for a new request (do the work, then :func:`idempotency_key_settle`), or with the
    earlier request's result, to answer again without doing anything. Raises :class:`KeyReused` when
    the key was used for a different request, and :class:`InvalidInput` for a key that is not one."""
    require_transaction("idempotency_key_claim()")
    key = key.strip()
    if len(key) > 1 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not _KEY.fullmatch(key):
        raise InvalidInput.one(
            "Idempotency-Key",
            "invalid",
            _("A key is 1 to 255 visible ASCII characters, without spaces (a UUID, for example)."),
        )
    IdempotencyKey.objects.filter(scope=scope, key=key, created_at__lt=_expired_before()).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                scope=scope,
                key=key,
                actor=actor if getattr(actor, "pk", None) else None,
                request_sha256=request_sha256,
            )
    except IntegrityError:
        pass  # used before (committed, or committed while this waited): answer as a retry
    earlier = IdempotencyKey.objects.get(scope=scope, key=key)
    if earlier.request_sha256 != request_sha256 or earlier.result is None:
        raise KeyReused.one(
            "Idempotency-Key",
            "key_reused",
            _(
                "The key “%(key)s” was used for another request (another file, event or person). Nothing "
                "was done: send this request with a new key."
            )
            % {"key": key},
        )
    return earlier


def idempotency_key_settle(*, claim: IdempotencyKey, result: dict[str, Any]) -> None:
    """Record what the work did, in the work's transaction: the answer a retry with the key gets."""
    claim.result = result
    claim.save(update_fields=["result"])


def idempotency_keys_sweep(*, now: datetime | None = None) -> int:
    """Remove the keys older than ``WPSNAP_IDEMPOTENCY_KEY_DAYS``; returns how many."""
    removed, _by_model = IdempotencyKey.objects.filter(created_at__lt=_expired_before(now)).delete()
    return removed


def _expired_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.WPSNAP_IDEMPOTENCY_KEY_DAYS)
