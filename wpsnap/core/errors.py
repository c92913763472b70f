"""Errors that services raise and views, the API and commands turn into clear messages."""

from __future__ import annotations


class WpsnapError(Exception):
    """Base for errors a user can act on; ``str()`` is the message to show."""


class InvalidInput(WpsnapError):
    """Input that was refused, with every problem named by its place (field, row, line)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
