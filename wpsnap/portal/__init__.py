"""Portal: the public site in Azerbaijani, English and Russian (``/az/``, ``/en/``, ``/ru/``), and its
static build.

Every figure it shows comes through ``wpsnap.publishing`` (``publishing.public``: published reports only,
disclosure-controlled); it never reads the read model, reports or registries for figures. No page here
asks for a login, and none shows a person.

May import ``wpsnap.core``, ``wpsnap.accounts``, ``wpsnap.plan``, ``wpsnap.reporting`` (the plan's
structure only) and ``wpsnap.publishing``. Independent of ``wpsnap.exports`` and ``wpsnap.dashboards``
(links to their public downloads go by URL name). Only ``wpsnap.demo`` may import it.
"""
