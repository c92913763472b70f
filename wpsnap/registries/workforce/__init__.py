"""Workforce monitoring (issue 14, activity 5.2.5.3): per state agency and year, its staff counted by
position level and sex, the share of women per level and its trend (``kinds.summary``), and the annual
monitoring result with its proposals. Staff statistics, not personal data: no person is recorded.

A registry kind (``wpsnap.registries.kinds``): it may import core, accounts, plan, reporting and
registries, never analytics, publishing, exports, portal or dashboards."""
