"""Dashboards fixtures: the analytics world (the Azerbaijan plan set up for reporting and events, people
of every role, helpers that write reports and events straight into the database). Every expected figure
in these tests is counted by the test itself, in plain Python over the rows the ORM reads back, never by
the analytics selectors under test."""

from __future__ import annotations

from ..analytics.conftest import events_plan, people, plan  # noqa: F401 - fixtures shared with analytics
