"""The publications and audio/video materials registry as the generic parts read it
(``wpsnap.registries.kinds.base``).

Who sees it: staff of every agency, coordinators and evaluators (``Visibility.STAFF``); the public sees
counts only, through ``publishing`` (a material itself is published by its agency, not by this
registry). Nothing personal is kept: authors are not recorded by name, only who produced it.

A record carries its file (PDF, Word, audio or video, judged by content: ``core.files``) or a link.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from django.utils.translation import gettext_lazy as _

from wpsnap.core import files
from wpsnap.registries.kinds.base import Column, ColumnType, Count, FileRule, RegistryKind, Visibility

from .models import AUDIO_VIDEO, Audience, Language, MaterialType, Publication

# Documents, and the audio and video kinds ``core.files`` recognises by their content.
FILE_KINDS = ("pdf", "docx", *files.MEDIA_KINDS)
# A recorded lecture or a short film: larger than any document.
MAX_BYTES = 100 * 1024 * 1024

COLUMNS = (
    Column("title", "title", _("Title"), ColumnType.TEXT, required=True, in_list=True),
    Column(
        "material_type",
        "material_type",
        _("Type"),
        ColumnType.CHOICE,
        required=True,
        choices=MaterialType,
        in_list=True,
    ),
    Column("published_on", "published_on", _("Published on"), ColumnType.DATE, required=True, in_list=True),
    Column(
        "audience",
        "audience",
        _("Audience"),
        ColumnType.CHOICES,
        required=True,
        choices=Audience,
        help=_("Who it is for."),
        in_list=True,
    ),
    Column("languages", "languages", _("Languages"), ColumnType.CHOICES, choices=Language),
    Column(
        "summary", "summary", _("Summary"), ColumnType.LONG_TEXT, help=_("What it covers, in a few lines.")
    ),
    Column(
        "produced_by",
        "produced_by",
        _("Produced by"),
        ColumnType.TEXT,
        help=_("The agency, organisation or studio that made it (not a person's name)."),
    ),
    Column(
        "link",
        "link",
        _("Link"),
        ColumnType.URL,
        help=_("Where it can be read, heard or watched online. Or attach the file."),
    ),
    Column(
        "copies", "copies", _("Copies distributed"), ColumnType.INTEGER, help=_("Printed copies or discs.")
    ),
)

_TITLES = (
    "Gender officers' handbook",
    "Women, peace and security: questions and answers",
    "CEDAW in the work of state agencies",
    "Preventing sexual harassment at work",
    "The National Action Plan on 1325 explained",
    "Gender-responsive budgeting: a short guide",
)


def example(rng: Random) -> dict[str, str]:
    """A realistic material as a file row (owner and activities left to the caller)."""
    material = rng.choice(MaterialType.values)
    published = date(2020, 4, 1) + timedelta(days=rng.randrange(0, 3 * 365))
    audience = rng.sample(Audience.values, rng.randint(1, 3))
    languages = rng.sample(Language.values[:3], rng.randint(1, 2))
    online = material in AUDIO_VIDEO or material == MaterialType.ONLINE_COURSE or rng.random() < 0.5
    row = {
        "title": rng.choice(_TITLES),
        "material_type": material,
        "published_on": published.isoformat(),
        "audience": "; ".join(sorted(audience)),
        "languages": "; ".join(sorted(languages)),
        "summary": rng.choice(("", "The officers' powers, with examples from the agencies' practice.")),
        "produced_by": rng.choice(("", "State Committee for Family, Women and Children Affairs", "UN Women")),
        "link": f"https://example.org/materials/{rng.randrange(1000, 9999)}" if online else "",
        "copies": "" if online else str(rng.choice((100, 250, 500, 1000))),
    }
    return row


KIND = RegistryKind(
    name="publications",
    model=Publication,
    label=_("Publication or audio/video material"),
    label_plural=_("Publications and audio/video materials"),
    description=_(
        "Publications and audio and video materials the agencies produced, with the file or a link, and who "
        "they are for."
    ),
    title_field="title",
    columns=COLUMNS,
    visibility=Visibility.STAFF,
    activity_codes=("5.2.6.4",),
    counts=(
        Count("publications", _("Publications and audio/video materials"), date_field="published_on"),
        Count(
            "audio_video",
            _("Audio and video materials"),
            date_field="published_on",
            where={"material_type__in": [t.value for t in AUDIO_VIDEO]},
        ),
    ),
    files=FileRule(kinds=FILE_KINDS, max_bytes=MAX_BYTES),
    ordering=("-published_on", "-id"),
    examples=example,
)
