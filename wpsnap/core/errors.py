"""Errors that services raise and views, the API and commands turn into clear messages.

A refusal is a list of :class:`Problem`: the field it concerns (data, never inside the translated text),
a stable machine code, and the translated message. Pages put each problem next to its field
(``wpsnap.core.forms.add_problems``); the API answers ``{"problems": [{"field", "code", "message"}]}``
with the status the error class declares (``wpsnap.core.api.exception_handler``); commands print
``field: message`` (:meth:`Problem.__str__`), joined only there, for a person to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request.

    ``field``: where, as the caller names it: a form field's name on a page, a dotted and indexed path in
    the API (``rows[2].sex``, ``values[5.1.2-3-i1][sex:men|age:18-24]``), a header (``If-Match``), ""
    for the request as a whole. ``code``: a stable machine code ("required", "invalid", "not_found",
    "too_large", "stale", "locked", "throttled", ...). ``message``: translated text for a person, which
    never repeats the field as a prefix (a translation may put words in any order)."""

    field: str
    code: str
    message: str

    def __str__(self) -> str:
        # Only for a person reading a terminal or a log: nothing parses this back.
        return f"{self.field}: {self.message}" if self.field else self.message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}

    def renamed(self, name: Callable[[str], str]) -> Problem:
        """The same problem with its field named by ``name`` (a page's key as the API names it)."""
        return Problem(name(self.field), self.code, self.message)


def field_path(parent: str, key: str | int) -> str:
    """The field of ``key`` inside ``parent``, as the API names places: ``rows[2]`` for an item of a list,
    ``rows[2].sex`` for a member named like an identifier, ``counts[sex:women|age:18-24]`` for any other."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if key.isidentifier():
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{key}]" if parent else key


ProblemLike = Problem | tuple[str, str, Any]


def as_problem(problem: ProblemLike) -> Problem:
    """``problem``, or a ``(field, code, message)`` tuple as a :class:`Problem` (a lazy message made text)."""
    if isinstance(problem, Problem):
        return problem
    field, code, message = problem
    return Problem(field, code, str(message))


class WpsnapError(Exception):
    """Base for errors a user can act on; ``str()`` is the message to show.

    Each subclass declares what it is for the API: its HTTP ``status`` and its problems' ``code``
    (and ``field`` when a whole kind of error concerns one place), so that one exception handler answers
    them all (``wpsnap.core.api``)."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "invalid"
    field: ClassVar[str] = ""

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.field, self.code, str(self))]

    def extra(self) -> dict[str, Any]:
        """Members of the API's error body beside ``problems`` (a stale write's version and conflicts)."""
        return {}

    def headers(self) -> dict[str, str]:
        """Headers of the API's error answer (a stale write's ``ETag``)."""
        return {}


class InvalidInput(WpsnapError):
    """Input that was refused, with every problem named by its place (field, row, line).

    ``problems`` are :class:`Problem` or ``(field, code, message)`` tuples."""

    def __init__(self, problems: Iterable[ProblemLike]) -> None:
        self._problems = [as_problem(problem) for problem in problems]
        super().__init__("\n".join(str(problem) for problem in self._problems))

    @property
    def problems(self) -> list[Problem]:
        return self._problems

    @classmethod
    def one(cls, field: str, code: str, message: Any) -> InvalidInput:
        """Refused for one reason."""
        return cls([(field, code, message)])

    def renamed(self, name: Callable[[str], str]) -> InvalidInput:
        """The same refusal (same class) with each field named by ``name``."""
        return type(self)([problem.renamed(name) for problem in self._problems])
