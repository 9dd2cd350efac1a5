from django.contrib.admin import apps as admin_apps


class SeuAdminConfig(admin_apps.AdminConfig):
    """The staff back-office: Django's admin, branded with the town hall's identity."""

    default_site = "seu.admin_site.SeuAdminSite"

    def ready(self) -> None:
        super().ready()
        from seu.admin_i18n import make_third_party_labels_translatable

        make_third_party_labels_translatable()
