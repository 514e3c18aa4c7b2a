from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lytt.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lytt.accounts.signals import on_feed_ingested, on_feeds_ingested
        from lytt.catalog.signals import feed_ingested, feeds_ingested

        feed_ingested.connect(on_feed_ingested, dispatch_uid="lytt.accounts.link_show")
        feeds_ingested.connect(on_feeds_ingested, dispatch_uid="lytt.accounts.link_shows")
