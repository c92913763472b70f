"""Write hooks: other parts of the platform that keep something of their own current with reports'
figures, inside the transaction that changes them (analytics' rollups of the figures that count).

Reporting may not import the apps that keep such things (they come later in the dependency order), so
they plug in here from their ``ready()``, like ``sources.py``: ``register(callback)``, where a callback
is ``(report_ids) -> None``. Reporting's services call ``reports_changed(report_ids)`` inside their
transaction, after the change, for every step into or out of a counted status (``workflow.COUNTED``) and
every change to a counted report's figures; a callback that raises rolls the whole write back. Not
signals: the call sites are the services, and each says when it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wpsnap.core.transactions import require_transaction

__all__ = ["register", "registered", "reports_changed"]

Callback = Callable[[list[int]], None]

_CALLBACKS: list[Callback] = []


def register(callback: Callback) -> Callback:
    """Add ``callback`` (once: an app's ``ready()`` may run more than once in tests)."""
    if callback not in _CALLBACKS:
        _CALLBACKS.append(callback)
    return callback


def registered() -> tuple[Callback, ...]:
    return tuple(_CALLBACKS)


def reports_changed(report_ids: Iterable[int]) -> None:
    """Tell every callback that the reports ``report_ids`` changed in a way that counts (their status
    into or out of ``COUNTED``, or a counted report's figures). Inside the writing transaction."""
    ids = sorted(set(report_ids))
    if not ids:
        return
    require_transaction("reports_changed()")
    for callback in _CALLBACKS:
        callback(ids)
