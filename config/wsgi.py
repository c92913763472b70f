"""The WSGI application (gunicorn: ``config.wsgi:application``).

Once the application is loaded, with every URL's view imported, the objects made so far (Django, the
libraries, the Vega-Lite schema the charts check against: several hundred thousand, all kept for the
process's life) are moved out of the garbage collector's reach with ``gc.freeze()``. Otherwise each full
collection walks them all again, in the middle of whichever request happens to trigger it: measured on
the national data set, the overview's slowest of 9 requests spent 195 ms collecting, against 16 ms once
frozen (``bench/profile_page.py``). Set ``WPSNAP_GC_FREEZE=0`` to leave the collector as Python sets it.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()

if os.environ.get("WPSNAP_GC_FREEZE", "1") != "0":
    from django.urls import get_resolver

    # Import every view (and what it imports) now, not at its first request, so that it is frozen too.
    get_resolver().url_patterns  # noqa: B018 - the property imports the URL configuration
    gc.collect()
    gc.freeze()
