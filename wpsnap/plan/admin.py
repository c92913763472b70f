from django.contrib import admin

from wpsnap.accounts.admin_site import ReadOnlyAdmin

from .models import Activity, Assignment, ExpectedResult, Indicator, Objective, Pillar, Plan, PriorityArea


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["slug", "title", "country", "status", "start_year", "end_year"]


@admin.register(Pillar, Objective, ExpectedResult)
class PlanPartAdmin(ReadOnlyAdmin):
    pass


@admin.register(PriorityArea)
class PriorityAreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "pillar", "start_year", "end_year"]
    list_filter = ["plan", "pillar"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["key", "code", "text", "priority_area"]
    list_filter = ["plan", "priority_area__pillar"]
    search_fields = ["key", "code", "text"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["key", "text", "kind"]
    list_filter = ["plan", "kind"]
    search_fields = ["key", "text"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["priority_area", "agency", "role"]
    list_filter = ["plan", "role", "agency"]
