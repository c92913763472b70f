"""The registries this installation has: each registry app calls ``register_kind(KIND)`` from its
``AppConfig.ready()``; the generic parts (gate rules, pages, API, imports, exports, derived figures,
lifecycle) read them from here. Order: the order of registration (INSTALLED_APPS)."""

from __future__ import annotations

from .base import RegistryKind, RegistryRecord

__all__ = ["kind_named", "kind_of", "kinds", "register_kind"]

_KINDS: dict[str, RegistryKind] = {}


def register_kind(kind: RegistryKind) -> RegistryKind:
    """Add ``kind`` and its gate rules (again is harmless: ``ready()`` may run more than once in tests)."""
    known = _KINDS.get(kind.name)
    if known is not None and known.model is not kind.model:
        raise ValueError(f"Two registries are named {kind.name!r}.")
    _KINDS[kind.name] = kind
    # Its actions in the permission gate (``registry.<name>.<verb>``), from its declaration.
    from .permissions import register_kind_rules

    register_kind_rules(kind)
    return kind


def kinds() -> tuple[RegistryKind, ...]:
    return tuple(_KINDS.values())


def kind_named(name: str) -> RegistryKind | None:
    return _KINDS.get(name)


def kind_of(model: type[RegistryRecord] | RegistryRecord) -> RegistryKind:
    cls = model if isinstance(model, type) else type(model)
    for kind in _KINDS.values():
        if kind.model is cls:
            return kind
    raise LookupError(f"{cls.__name__} is not a registered registry.")
