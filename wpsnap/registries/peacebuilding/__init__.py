"""Peacebuilding actors (activity 5.2.3.1): a registry kind (``kinds.KIND``) built on the shared
declaration of ``wpsnap.registries.kinds``. Inside the registries layer: may import core, accounts,
plan, reporting and registries."""
