"""One error shape for the API v1: {"error": {"code", "message", "field"?}}, with the right status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from lytt.api.schemas import ErrorOut

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_parameter",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, *, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.field = field


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"rate limit of {limit} requests per minute exceeded; retry in {retry_after} s")
        self.retry_after = retry_after
        self.limit = limit


def error_response(
    status: int, message: str, *, code: str | None = None, field: str | None = None
) -> JsonResponse:
    error: dict[str, Any] = {"code": code or CODES.get(status, "error"), "message": message}
    if field is not None:
        error["field"] = field
    return JsonResponse({"error": error}, status=status)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Unknown paths under /api/v1/ answer with the same error object as everything else."""
    return error_response(404, f"no API endpoint at {request.path}")


def error_responses(*codes: int) -> dict[int, Any]:
    """Error responses of an endpoint: its own, plus those of authentication (400 for a NUL in any
    parameter, 401, 429) and of validation (422), which every endpoint can give."""
    return {code: ErrorOut for code in (*codes, 400, 401, 422, 429)}


def refuse_nul(request: HttpRequest) -> None:
    """PostgreSQL cannot hold a NUL character in text: refuse it up front instead of failing later."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise ApiError(400, f"the parameter {name!r} contains a NUL character", field=name)
