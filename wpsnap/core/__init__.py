"""Shared foundations: the base models (timestamps, translations, versions, stored files), error types,
the audit trail, the clock services are given, uploaded files and tables judged by their content,
idempotency keys, the upload spool and the health check. Imports nothing from other wpsnap apps."""
