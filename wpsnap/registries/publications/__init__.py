"""Publications and audio/video materials (activity 5.2.6.4): a registry kind (``kinds.KIND``) built on
the shared declaration of ``wpsnap.registries.kinds``. Inside the registries layer: may import core,
accounts, plan, reporting and registries."""
