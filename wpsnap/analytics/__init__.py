"""The read model: every figure the platform shows or publishes is aggregated here, and only here.

Selectors (``results``, ``figures``, ``status``, ``compliance``, ``timeline``, ``people``, ``financing``,
``progress``) take the viewer first (a User, AnonymousUser or ``scope.PUBLIC``), scope what they read
through the permission gate's scopes, aggregate in the database in a fixed number of queries whatever the
amount of data, and return frozen dataclasses, never model instances or dicts. ``api.py`` serves the
figures the REST API gives (/api/v1/results/, /api/v1/derived/ and the dashboards' under
/api/v1/analytics/). Nothing here writes, except ``rollups.py``: its own tables of sums
(``models.py``), inside the writers' transactions, through ``reporting.hooks`` and ``registries.hooks``.
See docs/analytics.md.

May import ``wpsnap.core``, ``wpsnap.accounts``, ``wpsnap.plan``, ``wpsnap.reporting`` and
``wpsnap.registries``; only publishing, exports, portal and demo import it.
"""
