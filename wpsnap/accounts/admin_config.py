from django.contrib.admin.apps import AdminConfig


class GatedAdminConfig(AdminConfig):
    """Django's admin, on the site that asks the permission gate (``admin_site.GatedAdminSite``)."""

    default = False
    default_site = "wpsnap.accounts.admin_site.GatedAdminSite"
