"""Projects and funds (issue 14, activity 5.4.4.1) and settlements and residential buildings for internally
displaced persons (5.4.5.1): what was funded, from which sources, for whom, and where IDP housing was
built, to which standards, after how many consultations with women and girls.

A registry kind (``wpsnap.registries.kinds``): it may import core, accounts, plan, reporting and
registries, never analytics, publishing, exports, portal or dashboards."""
