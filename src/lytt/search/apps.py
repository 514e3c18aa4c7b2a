"""lytt.search"""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lytt.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lytt.search.signals import connect

        connect()
