from django.contrib.admin import apps as admin_apps


class SeuAdminConfig(admin_apps.AdminConfig):
    """The staff back-office: Django's admin, branded with the town hall's identity."""

    default_site = "seu.admin_site.SeuAdminSite"
