"""People and organisations: the custom User and the Organisation each user belongs to.

Imports only ``wpsnap.core``. The plan's implementing agencies are Organisations: the same body
reports under one plan after another, so it lives here, below the plan.
"""
