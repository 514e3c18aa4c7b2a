"""One error shape for the API v1: {"error": {"code", "message", "field"?}}, with the right status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
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
