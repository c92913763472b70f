"""The media registry as the generic parts read it (``wpsnap.registries.kinds.base``): two kinds,
"media-outlets" and "media-items" (an item's outlet is a RECORD column pointing at the outlets).

Who sees it: staff of every agency, coordinators and evaluators (``Visibility.STAFF``); the public sees
counts only, through ``publishing``. Files: documents, images, audio and video (judged by content,
``core.files``), up to 200 MB.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, FileRule, RegistryKind, Visibility

from .models import ItemType, Language, MediaItem, MediaOutlet, OutletType, Topic

ACTIVITY_CODES = ("5.4.1.3",)
FILE_KINDS = ("pdf", "docx", "jpeg", "png", "mp3", "wav", "ogg", "mp4", "webm")
MAX_BYTES = 200 * 1024 * 1024

_OUTLETS = (
    ("AzTV", OutletType.TELEVISION),
    ("İctimai Radio", OutletType.RADIO),
    ("Xalq qəzeti", OutletType.PRINT),
    ("Azərbaycan qəzeti", OutletType.PRINT),
    ("APA", OutletType.NEWS_AGENCY),
    ("Report.az", OutletType.ONLINE),
    ("Trend", OutletType.NEWS_AGENCY),
    ("Space TV", OutletType.TELEVISION),
)


def outlet_example(rng: Random) -> dict[str, str]:
    name, outlet_type = rng.choice(_OUTLETS)
    suffix = rng.randint(1, 9999)
    return {
        "name": f"{name} {suffix}",
        "outlet_type": outlet_type.value,
        "website": f"https://example.org/outlets/{suffix}",
        "notes": rng.choice(("", "Partner since 2021.", "Regional edition.")),
    }


OUTLETS = RegistryKind(
    name="media-outlets",
    model=MediaOutlet,
    label=_("Media outlet"),
    label_plural=_("Media outlets"),
    description=_("Newspapers, channels, stations and sites that took part in the plan's awareness work."),
    title_field="name",
    columns=(
        Column("name", "name", _("Name"), ColumnType.TEXT, required=True, in_list=True),
        Column(
            "outlet_type",
            "outlet_type",
            _("Type"),
            ColumnType.CHOICE,
            required=True,
            choices=OutletType,
            in_list=True,
        ),
        Column("website", "website", _("Website"), ColumnType.URL),
        Column("notes", "notes", _("Notes"), ColumnType.LONG_TEXT),
    ),
    visibility=Visibility.STAFF,
    activity_codes=ACTIVITY_CODES,
    counts=(Count("records", _("Media outlets involved"), date_field=None),),
    ordering=("name", "id"),
    examples=outlet_example,
)

_TITLES = (
    "Women in peacekeeping: an interview",
    "What UNSCR 1325 means for Azerbaijan",
    "Displaced women rebuild their lives",
    "Women officers in the police",
    "A talk show on gender stereotypes",
    "Survivors of violence: where to find help",
)


def item_example(rng: Random) -> dict[str, str]:
    day = date(2021, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    return {
        "title": f"{rng.choice(_TITLES)} ({rng.randint(1, 9999)})",
        "item_type": rng.choice(ItemType.values),
        "published_on": day.isoformat(),
        "outlet": "",
        "topic": rng.choice(Topic.values),
        "language": rng.choice(Language.values),
        "link": rng.choice(("", f"https://example.org/news/{rng.randint(1, 10**6)}")),
        "summary": rng.choice(("", "A short piece on the plan's goals.", "Two guests, 30 minutes.")),
    }


ITEMS = RegistryKind(
    name="media-items",
    model=MediaItem,
    label=_("Media article or broadcast"),
    label_plural=_("Media articles and broadcasts"),
    description=_(
        "Articles, broadcasts and recordings on women, peace and security: when, where, what about, with a link or the file."
    ),
    title_field="title",
    columns=(
        Column("title", "title", _("Title"), ColumnType.TEXT, required=True, in_list=True),
        Column(
            "item_type",
            "item_type",
            _("Type"),
            ColumnType.CHOICE,
            required=True,
            choices=ItemType,
            in_list=True,
        ),
        Column(
            "published_on",
            "published_on",
            _("Published or broadcast on"),
            ColumnType.DATE,
            required=True,
            in_list=True,
        ),
        Column(
            "outlet",
            "outlet",
            _("Outlet"),
            ColumnType.RECORD,
            target="media-outlets",
            help=_("The outlet's name as in the media outlets registry."),
            in_list=True,
        ),
        Column("topic", "topic", _("Topic"), ColumnType.CHOICE, required=True, choices=Topic),
        Column("language", "language", _("Language"), ColumnType.CHOICE, required=True, choices=Language),
        Column(
            "link",
            "link",
            _("Link"),
            ColumnType.URL,
            help=_("Where it can be read, heard or watched. Or attach the file."),
        ),
        Column("summary", "summary", _("Summary"), ColumnType.LONG_TEXT),
    ),
    visibility=Visibility.STAFF,
    activity_codes=ACTIVITY_CODES,
    counts=(
        Count("records", _("Articles and broadcasts"), date_field="published_on"),
        Count("articles", _("Articles"), date_field="published_on", where={"item_type": ItemType.ARTICLE}),
        Count("outlets", _("Outlets that published"), date_field="published_on", distinct="outlet"),
    ),
    files=FileRule(kinds=FILE_KINDS, max_bytes=MAX_BYTES),
    ordering=("-published_on", "-id"),
    examples=item_example,
)
