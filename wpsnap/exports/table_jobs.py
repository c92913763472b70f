"""Big lists written by a background job (kind ``exports.table``): the export view starts one when the
list has more than ``WPSNAP_EXPORT_SYNC_ROWS`` rows; the job builds the same list again for its owner
from the same query parameters (the owner's scope as it is when the job runs), writes it, and its page
offers the file. Registered by the app's ``ready()`` importing this module."""

from __future__ import annotations

from typing import Any, BinaryIO

from django.http import Http404
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core.errors import InvalidInput
from wpsnap.core.jobs import Job, JobOutput, Progress, job_kind, job_start

from . import table_lists
from .tables import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx

KIND = "exports.table"
# The gate action each list's page needs (the job's page asks it again before offering the file).
ACTIONS = {
    "reports": "report.browse",
    "figures": "results.view",
    "events": "event.list",
    "participants": "participant.view",
}


def start(*, request: Any, name: str, data: Any, opts: table_lists.Options, table: table_lists.Table) -> Job:
    """Queue the export of list ``name`` with the query ``data`` for the request's user."""
    params = {
        "list": name,
        "format": opts.format,
        "hxl": opts.hxl,
        # Single values only: every list's filters take one value per parameter.
        "query": {key: str(value) for key, value in data.items() if key not in ("format", "hxl")},
    }
    label = _("%(list)s as %(format)s") % {"list": table.title, "format": opts.format.upper()}
    action = ACTIONS.get(name) or table.action
    return job_start(owner=request.user, kind=KIND, action=action, params=params, label=label)


class _Counted:
    """The rows, counted as they are written, with the progress reported every ``step`` rows."""

    def __init__(self, rows: Any, total: int, progress: Progress) -> None:
        self.rows, self.total, self.progress, self.written = rows, max(total, 1), progress, 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.written += 1
            if self.written % 1000 == 0:
                self.progress(10 + 85 * min(self.written, self.total) // self.total, _("Writing the rows"))
            yield row


@job_kind(KIND)
def table_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    """Write the list the job's parameters name, as its owner may see it now."""
    from .table_views import audit_export

    params = job.params
    owner = job.owner
    # The gate again: the owner's role or agency may have changed since they asked.
    if not (permissions.can(owner, job.action) and permissions.can(owner, "exports.table")):
        raise InvalidInput.one("", "refused", _("You may no longer export this list."))
    progress(5, _("Reading the list"))
    opts = table_lists.Options(format=params["format"], hxl=bool(params["hxl"]))
    try:
        table = table_lists.table_for(params["list"], owner, dict(params["query"]))
    except Http404:
        raise InvalidInput.one("", "not_found", _("This list is no longer one you may see.")) from None
    counted = _Counted(table.rows(), table.count(), progress)
    if opts.format == "csv":
        write_csv(table.columns, counted, out, hxl=opts.hxl)
        name, content_type = f"{table.filename}.csv", CSV_TYPE
    else:
        write_xlsx(table.columns, counted, out, hxl=opts.hxl, title=table.title)
        name, content_type = f"{table.filename}.xlsx", XLSX_TYPE
    audit_export(table, user=owner, rows=counted.written, fmt=opts.format)
    progress(100, _("Done"))
    return JobOutput(name=name, content_type=content_type)
