"""Files people upload (evidence, agendas, materials): what they really are, judged by their content,
never by their name; how they are stored (``upload_check`` before the writing transaction, then
``stored_file_save`` into a ``core.models.StoredFile`` inside it, and ``delete_on_commit`` when the row
goes); and how they are sent back (as private attachments, never run by a browser)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import clock
from .errors import InvalidInput

if TYPE_CHECKING:
    from .models import StoredFile

# An office archive that unpacks to more than this, or holds more members, is refused (zip bombs).
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_MEMBERS = 2000

# What a browser is told a stored file is, by the type its content was judged to be.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain; charset=utf-8",
    # Audio and video, for the registries that take them (media): never in ``sniff``, only where a caller
    # allows them (``checked_kind(..., kinds=...)``).
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
    "webm": "video/webm",
}


# What a file's name ends with once sent back, by its type: the first is given to a name that has none
# of them (a PDF uploaded as "report.txt" is downloaded as "report.pdf").
EXTENSIONS = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
    "pptx": (".pptx",),
    "odt": (".odt",),
    "ods": (".ods",),
    "txt": (".txt",),
    "mp3": (".mp3",),
    "wav": (".wav",),
    "ogg": (".ogg", ".oga", ".ogv", ".opus"),
    "mp4": (".mp4", ".m4a", ".m4v"),
    "webm": (".webm",),
}

# The audio and video types ``sniff_media`` knows.
MEDIA_KINDS = ("mp3", "wav", "ogg", "mp4", "webm")

# Text that a browser would take for a web page or an image with scripts (HTML, SVG, XML): its first
# tag as the MIME sniffing standard reads it (after blanks and a byte-order mark), or tags that carry
# script anywhere in its first 64 KB.
_MARKUP_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*<(?:!--|\?xml|!doctype\s+html"
    rb"|(?:html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg)[\t\n\x0c\r />])",
    re.IGNORECASE,
)
_SCRIPT_TAGS = re.compile(rb"<\s*(?:script|svg|html|iframe|object|embed)[\s/>]", re.IGNORECASE)


def is_markup(content: bytes) -> bool:
    """Whether ``content`` (text) is HTML, SVG or XML, which a browser could run scripts from. Asked of
    text, audio and video only (whose first bytes say little): a PDF, an image or an office document is
    sent back as what it is."""
    head = content[: 64 * 1024]
    return bool(_MARKUP_START.match(head) or _SCRIPT_TAGS.search(head))


def starts_as_markup(content: bytes) -> bool:
    """Whether ``content`` starts as HTML, SVG or XML does (its first tag, after blanks and a byte-order
    mark): never a table of rows, whose first line is its header."""
    return bool(_MARKUP_START.match(content[:1024]))


def sniff(content: bytes) -> str | None:
    """The file's real type from its bytes: pdf, png, jpeg, docx, xlsx, pptx, odt, ods, txt; else None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        return _sniff_zip(content)
    if b"\x00" not in content[:8192]:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "txt"
    return None


def sniff_media(content: bytes) -> str | None:
    """The audio or video type of ``content`` from its first bytes: mp3 (an ID3 tag or an MPEG audio
    frame), wav (RIFF WAVE), ogg (Ogg pages: Vorbis, Opus, Theora), mp4 (an ISO media ``ftyp`` box: MP4,
    M4A) or webm (EBML with the webm doctype); else None."""
    head = content[:64]
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06
    ):
        return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in content[:4096]:
        return "webm"
    return None


def unpacks_too_large(content: bytes) -> bool:
    """Whether ``content`` is a zip archive (an office document) that unpacks beyond the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            return len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _sniff_zip(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
                return None  # an archive that unpacks to far more than it weighs
            names = {m.filename for m in members}
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace")
                return {
                    "application/vnd.oasis.opendocument.text": "odt",
                    "application/vnd.oasis.opendocument.spreadsheet": "ods",
                }.get(mimetype)
            if "[Content_Types].xml" not in names:
                return None
            for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                if any(n.startswith(prefix) for n in names):
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def checked_kind(name: str, content: bytes, *, max_bytes: int, kinds: Iterable[str] | None = None) -> str:
    """The kind of an uploaded document (PDF, image, office document or text), or
    :class:`InvalidInput` naming the ``file`` field: empty, too large, or not such a document.

    ``kinds``: the types the caller takes (a registry's ``FileRule``), which may include audio and video
    (``MEDIA_KINDS``); any other is refused. None: any document type, never audio or video."""
    if len(content) > max_bytes:
        raise InvalidInput.one(
            "file", "too_large", _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not content:
        raise InvalidInput.one("file", "empty", _("The file is empty."))
    if unpacks_too_large(content):
        raise InvalidInput.one(
            "file",
            "zip_bomb",
            _(
                "“%(name)s” unpacks to more than %(mb)d MB (or holds more than %(members)d files), far more "
                "than it weighs, so it is refused. Save the document again, or as PDF."
            )
            % {"name": name, "mb": MAX_UNZIPPED // (1024 * 1024), "members": MAX_MEMBERS},
        )
    allowed = None if kinds is None else frozenset(kinds)
    kind = (sniff_media(content) if allowed and allowed & set(MEDIA_KINDS) else None) or sniff(content)
    if allowed is not None and kind not in allowed:
        raise InvalidInput.one(
            "file",
            "unsupported_type",
            _(
                "“%(name)s” is not one of the types taken here: %(kinds)s (judged by its content, not its name)."
            )
            % {"name": name, "kinds": ", ".join(sorted(allowed))},
        )
    if kind is None:
        raise InvalidInput.one(
            "file",
            "unsupported_type",
            _(
                "“%(name)s” is not a PDF, image, office document or text file (judged by its content, not its name)."
            )
            % {"name": name},
        )
    # Audio and video are judged by a few first bytes: a web page behind them is a polyglot, refused too.
    if (kind == "txt" or kind in MEDIA_KINDS) and is_markup(content):
        raise InvalidInput.one(
            "file",
            "unsafe_type",
            _(
                "“%(name)s” is a web page or an SVG image (HTML, SVG or XML, judged by its content), which "
                "could carry scripts, so it is refused. Save it as PDF."
            )
            % {"name": name},
        )
    return kind


# Characters that have no place in a file name sent back in a header.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"]+")


def download_name(name: str, default: str = "file") -> str:
    """The uploaded name, safe to send back: no control characters, quotes or path separators."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" .")
    return cleaned or default


def download_name_for(name: str, kind: str, default: str = "file") -> str:
    """``download_name``, ending in an extension of ``kind``: the one it has, if it is one of the type's,
    else the type's own, in place of another (``report.txt`` of a PDF is ``report.pdf``). A browser or a
    desktop opens a download by its extension: it must match what the file is."""
    cleaned = download_name(name, default)
    extensions = EXTENSIONS.get(kind)
    if extensions is None or cleaned.lower().endswith(extensions):
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    # A short last part is an extension to replace; a longer one is part of the name ("v2.final draft").
    base = stem if dot and stem and 1 <= len(extension) <= 5 else cleaned
    return base + extensions[0]


def attachment(file: Any, *, name: str, kind: str, default_name: str = "file") -> FileResponse:
    """A stored file as a private attachment of the type its content was judged to be; 404 if the
    row outlived its file (a restored database, a lost disk)."""
    try:
        content = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        content,
        as_attachment=True,
        filename=download_name_for(name, kind, default_name),
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- storing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """An uploaded file once checked: its name as uploaded, its bytes, and what it really is."""

    name: str
    content: bytes
    kind: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def upload_check(*, name: str, content: bytes, max_bytes: int, kinds: Iterable[str] | None = None) -> Upload:
    """The upload, checked by its content (``checked_kind``: empty, too large, a zip bomb, markup or not
    a document, or not one of ``kinds`` are refused). Call it before the writing transaction: the checks
    read the whole file."""
    return Upload(
        name=name, content=content, kind=checked_kind(name, content, max_bytes=max_bytes, kinds=kinds)
    )


def stored_file_save[S: StoredFile](
    *, stored: S, upload: Upload, actor: Any, now: datetime | None = None
) -> S:
    """Store ``upload`` as ``stored``, a new row of a ``StoredFile`` model whose owner (report, event) the
    caller has set: the file under a name the server makes (the uploaded one is kept as data, never as a
    path), its type, size, checksum and who uploaded it; the history row names the uploader. Call it
    inside the writing transaction, after the gate and the lock. ``now``: when it happened (the clock,
    ``wpsnap.core.clock``)."""
    stored.original_name = upload.name[:255] or stored.default_name
    stored.kind = upload.kind
    stored.size = len(upload.content)
    stored.sha256 = upload.sha256
    stored.uploaded_by = actor
    stored.file.save("upload", ContentFile(upload.content), save=False)
    stored._history_user = actor  # type: ignore[attr-defined]
    clock.dated(stored, now).save()
    clock.stamp(stored, now, "created_at", "updated_at")
    return stored


def delete_on_commit(stored: Iterable[StoredFile]) -> None:
    """Delete the files of ``stored`` rows once the transaction deleting them commits: never before, as
    a rollback keeps the rows, which still need their files. Read before the rows are deleted."""
    doomed = [(row.file.storage, row.file.name) for row in stored if row.file.name]
    if doomed:
        transaction.on_commit(lambda: _delete(doomed))


def _delete(doomed: list[tuple[Any, str]]) -> None:
    for storage, name in doomed:
        storage.delete(name)
