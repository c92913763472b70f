from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wpsnap.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.backends.signals import connection_created
        from simple_history.signals import post_create_historical_record

        from . import audit, outage, spool

        post_create_historical_record.connect(audit.on_history_record, dispatch_uid="wpsnap-audit-history")
        user_logged_in.connect(audit.on_logged_in, dispatch_uid="wpsnap-audit-login")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="wpsnap-audit-logout")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="wpsnap-audit-login-failed")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="wpsnap-audit-locked-out")
        # Not a domain event: a new database connection tells the outage log that the database is back.
        connection_created.connect(outage.on_connection_created, dispatch_uid="wpsnap.core.outage")
        # Uploads spool here (FILE_UPLOAD_TEMP_DIR): it must exist before the first large upload.
        spool.spool_dir()
