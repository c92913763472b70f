"""Shared foundations: the base model, error types, translation helpers. Imports nothing from other wpsnap apps."""
