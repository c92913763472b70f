"""Writes to progress reporting. Every write checks the gate and the period lock first, is atomic,
and leaves history and audit lines; pages, the API, commands and the demo call these."""

from .breakdowns import dimension_option_add  # noqa: F401
from .reminders import reminders_send  # noqa: F401
from .reports import (  # noqa: F401
    LockedError,
    ReportInput,
    SaveResult,
    comment_add,
    evidence_add,
    evidence_delete,
    report_save,
    report_start,
    report_texts,
)
from .setup import reporting_setup  # noqa: F401
from .workflow import (  # noqa: F401
    period_lock,
    period_reopen,
    report_approve,
    report_endorse,
    report_publish,
    report_return,
    report_submit,
    report_transition,
    report_unpublish,
)
