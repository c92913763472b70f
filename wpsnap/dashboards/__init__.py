"""Dashboards: the internal pages that show where the plan stands (implementation status, reporting
compliance, the periods' timeline, people reached, financing, indicators against baseline and target,
districts on a map), each figure drilling down to the reports and events behind it.

Every figure comes from the read model (``wpsnap.analytics``), under the gate and the viewer's scope:
coordinators and evaluators see the whole plan, an agency's people their agency's part. Charts are
built with ``wpsnap.core.charts`` (one Vega-Lite spec for the page and for print), each with its table
and a one-sentence summary.

May import ``wpsnap.core``, ``wpsnap.accounts``, ``wpsnap.plan``, ``wpsnap.reporting``,
``wpsnap.registries`` and ``wpsnap.analytics``. It is internal: it never names the public viewer and
nothing public reads it. Only ``wpsnap.demo`` may import it.
"""
