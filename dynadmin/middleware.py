"""Per-request DynamoDB call log, and the one place DataErrors become pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .data import calls
from .data.errors import DataError

logger = logging.getLogger("dynadmin")

__all__ = ["DynamoDBMiddleware"]


class DynamoDBMiddleware:
    """Record every DynamoDB call the request makes (``request.dynamodb_calls``) and render
    any ``DataError`` a view lets through as a clear page with the error's status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with calls.recording() as log:
            request.dynamodb_calls = log  # type: ignore[attr-defined]
            response = self.get_response(request)
            # Template responses render here, while the log still collects; a call made
            # while rendering can fail too, and becomes the same page as one in a view.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                try:
                    response = response.render()
                except DataError as exc:
                    response = self._page(request, exc)
        calls_header = ",".join(log.operations)
        if calls_header:
            response["X-Dynadmin-Calls"] = calls_header
        return response

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        if isinstance(exception, DataError):
            return self._page(request, exception)
        return None

    @staticmethod
    def _page(request: HttpRequest, error: DataError) -> HttpResponse:
        from .views.errors import data_error_response

        logger.warning("%s on %s: %s", type(error).__name__, request.path, error)
        return data_error_response(request, error)
