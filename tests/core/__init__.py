"""Tests of wpsnap.core: parsers of input, request limits, error pages."""
