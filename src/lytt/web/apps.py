from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lytt.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lytt.catalog.signals import attachment_stored
        from lytt.web import followalong

        attachment_stored.connect(followalong.on_attachment_stored, dispatch_uid="lytt.web.followalong")
