"""Progress reporting: reporting periods, progress reports per activity x agency x period with
disaggregated indicator values, qualitative answers, financing and evidence; the review workflow
(draft -> submitted -> endorsed -> approved -> published, or returned) and period locks.

May import ``wpsnap.core``, ``wpsnap.accounts`` and ``wpsnap.plan``.
"""
