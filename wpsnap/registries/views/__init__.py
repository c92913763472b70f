"""The events pages: events and their files (``events``), participants (``participants``) and the
bindings of indicators to event data (``rules``).

Thin: every view passes the permission gate, finds events only within the user's scope
(``get_or_refuse``: another agency's event answers 404 and is audited) and changes them only through
``wpsnap.registries.services``. A locked period answers 409 with the reason, and nothing is saved.
"""
