"""Reviewing reports, under /reports/ in the ``reporting`` namespace: the queue, the reports browser and
its bulk steps, a report's page, its history, its comments and workflow steps, and the reporting
periods."""

from django.urls import path

from .views import browse, review

urlpatterns = [
    path("queue/", review.queue, name="queue"),
    path("browse/", browse.browse, name="browse"),
    path("browse/bulk/", browse.bulk_confirm, name="bulk_confirm"),
    path("browse/bulk/run/", browse.bulk_run, name="bulk_run"),
    path("periods/", review.periods, name="periods"),
    path("periods/<int:pk>/lock/", review.period_lock, name="period_lock"),
    path("periods/<int:pk>/reopen/", review.period_reopen, name="period_reopen"),
    path("<int:pk>/", review.report_detail, name="report_detail"),
    path("<int:pk>/history/", review.report_history, name="report_history"),
    path("<int:pk>/comment/", review.report_comment, name="report_comment"),
    path("<int:pk>/step/<str:step>/", review.report_step, name="report_step"),
]
