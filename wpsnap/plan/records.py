"""The records kept for an activity (issue 14): an extension point for the apps above the plan (the
registries), which the plan may not import. Each registers a provider from its ``ready()``; the activity
page lists what they give: the registries serving the activity, with the number of records the viewer
may see, each linking to its filtered list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["RecordsLink", "for_activity", "register"]


@dataclass(frozen=True)
class RecordsLink:
    """One registry serving an activity, as the activity page shows it."""

    label: str  # "Media articles and broadcasts"
    description: str
    # The records the viewer may see or count (None: the registry serves it, its count not shown).
    count: int | None
    link: str


# ``provider(activity, user) -> [RecordsLink]``: a fixed number of queries for any number of records.
Provider = Callable[[Any, Any], list[RecordsLink]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add ``provider`` (once: ``ready()`` may run more than once in tests)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def for_activity(activity: Any, user: Any) -> list[RecordsLink]:
    found: list[RecordsLink] = []
    for provider in _PROVIDERS:
        found += provider(activity, user)
    return found
