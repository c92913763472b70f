"""One entry point per use case: events, participants, derivation rules."""
