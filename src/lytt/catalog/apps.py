from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lytt.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lytt.catalog import attachments
        from lytt.catalog.signals import feed_ingested, feeds_ingested

        feed_ingested.connect(attachments.on_feed_ingested, dispatch_uid="lytt.catalog.attachments")
        feeds_ingested.connect(attachments.on_feeds_ingested, dispatch_uid="lytt.catalog.attachments_batch")
