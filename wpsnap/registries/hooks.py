"""Write hooks: other parts of the platform that keep something of their own current with events and
their participants, inside the transaction that changes them (analytics' per-event tallies).

The registries may not import the apps that keep such things (they come later in the dependency order),
so they plug in here from their ``ready()``, like ``reporting/hooks.py``: ``register(callback)``, where a
callback is ``(event_ids) -> None``. The registries' services call ``events_changed(event_ids)`` inside
their transaction, after the change (an event created, edited or deleted; participants imported,
deleted or cleared; counts saved); a callback that raises rolls the whole write back. For a deleted
event the id is of a row that is gone. Not signals: the call sites are the services, and each says when
it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wpsnap.core.transactions import require_transaction

__all__ = ["events_changed", "register", "registered"]

Callback = Callable[[list[int]], None]

_CALLBACKS: list[Callback] = []


def register(callback: Callback) -> Callback:
    """Add ``callback`` (once: an app's ``ready()`` may run more than once in tests)."""
    if callback not in _CALLBACKS:
        _CALLBACKS.append(callback)
    return callback


def registered() -> tuple[Callback, ...]:
    return tuple(_CALLBACKS)


def events_changed(event_ids: Iterable[int]) -> None:
    """Tell every callback that the events ``event_ids`` (or their participants or counts) changed.
    Inside the writing transaction."""
    ids = sorted(set(event_ids))
    if not ids:
        return
    require_transaction("events_changed()")
    for callback in _CALLBACKS:
        callback(ids)
