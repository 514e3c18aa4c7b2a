"""Every answer under /api/ (and the Open Podcast API's /v1/) is JSON, errors included.

A path no API knows falls through to the pages' URL map (and its HTML 404), a method a plain Django
view refuses answers an empty text/html 405, and an unhandled exception becomes Django's HTML 500. An
app reading JSON can make nothing of those, so this middleware turns an error answer under /api/ that is
not JSON into the error shape of the API the path belongs to; pages keep their HTML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from lytt.api.errors import error_response

API_PREFIXES = ("/api/", "/v1/")


def json_error(path: str, status: int, message: str) -> HttpResponse:
    """`message` in the error shape of the API that `path` belongs to."""
    if path.startswith("/api/1.0/"):  # Podcast Index: {"status": "false", "description": ...}
        body = json.dumps({"status": "false", "description": message})
        return HttpResponse(body, status=status, content_type="application/json")
    if path.startswith("/api/v1/"):
        return error_response(status, message)
    if path.startswith("/v1/"):  # the Open Podcast API's Error object
        return JsonResponse({"code": status, "message": message}, status=status)
    return JsonResponse({"error": message}, status=status)  # gpodder.net's /api/2/ (`lytt.sync.auth`)


def _message(request: HttpRequest, response: HttpResponse) -> str:
    if response.status_code == 404:
        return f"no API endpoint at {request.path}"
    if response.status_code == 405:
        allowed = response.get("Allow", "")
        return f"method {request.method} is not allowed at {request.path}" + (
            f"; use {allowed}" if allowed else ""
        )
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return "error"


class JsonErrorsUnderApi:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIXES)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replaced = json_error(request.path, response.status_code, _message(request, response))
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
