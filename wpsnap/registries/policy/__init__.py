"""Policy and strategy reviews (issue 14, activities 5.2.5.1, 5.3.1.1 and 5.4.2.1): the documents an agency
reviewed for gender sensitivity, what the review found and whether the document was modified, and the
recommendations each review made with their state (proposed, accepted, implemented, rejected).

A registry kind (``wpsnap.registries.kinds``): it may import core, accounts, plan, reporting and
registries, never analytics, publishing, exports, portal or dashboards."""
