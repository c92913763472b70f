"""The base model every wpsnap table shares."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.http import FileResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import files


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class StoredFile(TimeStampedModel):
    """A file someone uploaded (a report's evidence, an event's agenda or materials): kept outside the web
    root under a name the server makes, its type judged by its content when it was stored (``kind``), and
    sent back only through the gate, as a private attachment named by that type.

    Each concrete model declares ``file`` itself, with its own folder (``upload_to``), and the object it
    belongs to. Stored by ``wpsnap.core.files.stored_file_save``, the one way in."""

    # Declared by each concrete model: ``models.FileField(_("file"), upload_to=...)``.
    file: models.FileField
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=20)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # The name stored, and downloaded, when the uploaded one is empty or nothing but unsafe characters.
    default_name: ClassVar[str] = "file"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    def download_name(self) -> str:
        """The name a download is given: the uploaded one made safe, ending in the type's extension."""
        return files.download_name_for(self.original_name, self.kind, self.default_name)

    def as_attachment(self) -> FileResponse:
        """The stored file as a private attachment of its judged type (404 if the file is gone)."""
        return files.attachment(
            self.file, name=self.original_name, kind=self.kind, default_name=self.default_name
        )

    def delete_file_on_commit(self) -> None:
        """Delete the stored file once the transaction deleting this row commits: never before, since a
        rollback keeps the row, which still needs its file. Call it inside that transaction."""
        files.delete_on_commit([self])


class VersionedModel(models.Model):
    """An object edited by several people at once (optimistic concurrency, ``wpsnap.core.versions``).

    ``version`` goes up by one with every write that changes the object; ``field_versions`` says, for
    each field key (as its form names it), the version that last changed it, so that a write made on an
    older version can be merged when it touches only fields the other writes left alone."""

    version = models.PositiveIntegerField(_("version"), default=1)
    field_versions = models.JSONField(_("version of each field"), default=dict, blank=True)

    class Meta:
        abstract = True


class TranslatedModel(models.Model):
    """Content in several languages: the text fields hold the plan's default language, and
    ``translations`` holds ``{"az": {"title": "..."}}``. :meth:`tr` picks the active language."""

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def tr(self, field: str, language: str | None = None) -> Any:
        language = language or translation.get_language() or ""
        for code in (language, language.split("-")[0]):
            value = (self.translations or {}).get(code, {}).get(field)
            if value:
                return value
        return getattr(self, field)


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed to sign in")
    LOGOUT = "logout", _("signed out")
    LOCKED_OUT = "locked_out", _("was locked out")
    ACCESS_REFUSED = "access_refused", _("was refused access")
    TOKEN_CREATED = "token_created", _("was given an API token")
    SECOND_FACTOR = "second_factor", _("set up two-factor authentication")
    INVITE = "invite", _("invited")
    ROLE_CHANGE = "role_change", _("changed the role of")
    DEACTIVATE = "deactivate", _("deactivated")
    REACTIVATE = "reactivate", _("reactivated")
    IMPORT = "import", _("imported records into")
    EXPORT = "export", _("exported records from")


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what, to which object, when.

    Written by ``wpsnap.core.audit`` only. Never carries beneficiaries' personal data: models that hold
    it declare the fields to leave out (``audit_exclude``), and messages name records by id and key.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # How many like events this line stands for: repeated anonymous refusals from one address are
    # recorded as one line with a count, not one line each. The count is the one thing that ever changes
    # on a written line (core.audit.record_repeated; accounts.throttle).
    count = models.PositiveIntegerField(_("count"), default=1)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an existing audit line is never rewritten.
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("audit events are append-only")


class IdempotencyKey(models.Model):
    """A request that must not be done twice, by the key its client chose (the API's
    ``Idempotency-Key`` header, the import form's hidden token, ``--key`` on the command line).

    Written in the same transaction as the work it stands for: if the work committed, so did its key,
    even when the client never heard the answer, and a retry with the key gets the first answer
    (``result``) instead of doing the work again. Written by ``wpsnap.core.idempotency`` only; swept
    after ``WPSNAP_IDEMPOTENCY_KEY_DAYS`` by ``wpsnap uploads sweep``.
    """

    scope = models.CharField(_("scope"), max_length=50)
    key = models.CharField(_("key"), max_length=255)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Of what the request asks (who, on what, the content's checksum): the same key with another
    # request is refused, never answered with the first one's result.
    request_sha256 = models.CharField(_("request checksum"), max_length=64)
    # What the work did, as the answer to give again; null only inside the work's own transaction.
    result = models.JSONField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """A slow piece of work (a report, a large export or import) run in the background by the worker
    (``wpsnap db_worker``) for one person, who follows it on its page and downloads its file there.

    Written by ``wpsnap.core.jobs`` only. The file lives under ``WPSNAP_JOB_DIR`` (outside the web root)
    and is offered only once ``status`` is done, which is set in the same step that puts the finished file
    in place: a job stopped half-way never offers a half-written file. ``action`` is the gate action its
    owner needed to start it, asked again before every look at the page or the file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    owner = models.ForeignKey(
        "accounts.User", verbose_name=_("owner"), on_delete=models.CASCADE, related_name="jobs"
    )
    action = models.CharField(_("permission needed"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    label = models.CharField(_("what it makes"), max_length=300)
    # The language of the page that started it: the job's messages (and anything it writes without a
    # language of its own) are in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    error = models.TextField(_("reason it failed"), blank=True)
    # The finished file: its name under WPSNAP_JOB_DIR (made by the server), and how it is downloaded.
    file_name = models.CharField(_("stored file"), max_length=100, blank=True)
    download_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    # Where the person goes next once it is done (optional, set with the file): a page of the site (a
    # path, e.g. the event's participant list after an import), its wording, and the API's address of it.
    result_url = models.CharField(_("next page"), max_length=300, blank=True)
    result_label = models.CharField(_("next page's link"), max_length=200, blank=True)
    result_api_url = models.CharField(_("next page in the API"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The worker's last sign of life while running: a running job whose heartbeat is older than
    # WPSNAP_JOB_STALE_SECONDS lost its worker, and is shown (and then marked) failed.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_max_100"),
            # A finished job has its file; no other has one.
            models.CheckConstraint(
                condition=models.Q(status=JobStatus.DONE, file_name__gt="")
                | (~models.Q(status=JobStatus.DONE) & models.Q(file_name="")),
                name="job_file_when_done",
            ),
        ]

    def __str__(self) -> str:
        return self.label
