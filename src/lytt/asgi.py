"""ASGI entry point: `uvicorn lytt.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
application = get_asgi_application()
