from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def dynadmin(request: HttpRequest) -> dict[str, Any]:
    """The request's DynamoDB call log (shown in every page's footer) and the lookup text."""
    return {
        "dynamodb_calls": getattr(request, "dynamodb_calls", []),
        "lookup_query": request.GET.get("q", "") if request.path.endswith("/lookup/") else "",
    }
