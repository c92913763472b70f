"""Portal fixtures: the publishing tests' world of reports (published sex x age figures with small cells,
public statistics, an approved report not yet published) on the Azerbaijan plan."""

from ..publishing.conftest import events_plan, people, plan, world  # noqa: F401 - fixtures for the portal's tests
