"""The time a write happens at.

Services that stamp time take ``now`` (keyword-only; None is the real clock, ``timezone.now()``), so that
a caller replaying the past (the demo's four reporting years) or a test says when things happen, instead
of patching Django's clock. A service's own fields (``submitted_at``, ``locked_at``) take
:func:`moment`. Three stamps are not the service's to set by assignment, and take ``now`` here:

- ``auto_now``/``auto_now_add`` fields (``created_at``, ``updated_at``, a transition's or comment's
  ``at``): Django writes the real clock into them on every save, whatever the instance holds, so
  :func:`stamp` writes ``now`` over them after the last save;
- the history row django-simple-history writes on a save or delete (``history_date``), dated by the
  instance's ``_history_date`` (:func:`dated`);
- the audit line mirrored from that history row (``audit.on_history_record`` takes the same date), and the
  lines services write themselves (``audit.record(at=now)``).

With the real clock (``now`` None) none of this runs: no extra query, nothing set.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


def moment(now: datetime | None) -> datetime:
    """``now``, or the real clock when the caller gave none."""
    return timezone.now() if now is None else now


def dated[M: models.Model](instance: M, now: datetime | None) -> M:
    """``instance``, its next history row (and the audit line made from it) dated ``now``; with None the
    real clock, and no date left over from an earlier call on the same instance."""
    if now is None:
        instance.__dict__.pop("_history_date", None)
    else:
        instance._history_date = now  # type: ignore[attr-defined]
    return instance


def stamp(instance: models.Model, now: datetime | None, *fields: str) -> None:
    """Write ``now`` into the ``auto_now``/``auto_now_add`` ``fields`` of a saved ``instance`` (one UPDATE,
    inside the caller's transaction; no history row). Call it after the instance's last save: a save
    writes the real clock into them again. Nothing happens with the real clock (``now`` None)."""
    if now is None or not fields:
        return
    type(instance)._base_manager.filter(pk=instance.pk).update(**dict.fromkeys(fields, now))
    for name in fields:
        setattr(instance, name, now)
