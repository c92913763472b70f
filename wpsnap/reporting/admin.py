from django.contrib import admin

from wpsnap.accounts.admin_site import ReadOnlyAdmin

from .models import Evidence, IndicatorValue, ProgressReport, ReportingPeriod, ReportTransition


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ReadOnlyAdmin):
    list_display = ["label", "plan", "start", "end", "due_on", "locked_at"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["activity", "agency", "period", "status", "progress", "updated_at"]
    list_filter = ["status", "period", "agency"]
    list_select_related = ["activity", "agency", "period"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["report", "indicator", "cell", "value"]
    list_select_related = ["report__activity", "report__agency", "report__period", "indicator"]


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "source", "target", "actor", "at"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "report", "kind", "size", "created_at"]
    exclude = ["file"]  # downloaded only through the gated evidence view
