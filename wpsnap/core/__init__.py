"""Shared foundations: the base model, error types, translation helpers, the audit trail, idempotency keys
and the upload spool. Imports nothing from other wpsnap apps."""
