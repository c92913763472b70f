"""Publishing: the one route by which figures leave for the public (pages, the static site, open data,
IATI, the public report). It owns disclosure control (``disclosure.py``): which counts of people may be
shown and which must be suppressed, with the complementary suppression that keeps a small count from
being recovered from totals, linked tables or the previous release; and the route (``public.py``:
``public_results``), the one function that takes analytics' figures for the public and returns what the
public may see. ``services.py`` holds the coordinator's decision that an indicator is public statistics;
``report_files.py`` the public versions of the annual reports a coordinator puts on the portal (and takes
off, as does unpublishing a report they cover, through a reporting hook).

May import ``wpsnap.core``, ``wpsnap.accounts``, ``wpsnap.plan``, ``wpsnap.reporting``,
``wpsnap.registries`` and ``wpsnap.analytics``. Nothing imports publishing except the public outputs
(``wpsnap.exports`` and ``wpsnap.portal``), which take their figures only through it.
"""
