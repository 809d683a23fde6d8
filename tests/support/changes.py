"""Changes as an item's Recent changes and a table's Activity show them, and the items the
application writes, with plain boto3, to make them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlencode

import boto3
from django.urls import reverse

from examples.shop.definitions import Order

HTMX = {"HTTP_HX_REQUEST": "true"}
KEY = {"PK": "USER#u1", "SK": "ORDER#2024-01-15#456"}
PRODUCT = {"PK": "PRODUCT#p1", "SK": "METADATA"}


def order(**values: Any) -> dict[str, Any]:
    return Order.build_item({
        "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "currency": "EUR", "version": 1, **values})


def product(**values: Any) -> dict[str, Any]:
    return {**PRODUCT, "type": "Product", "product_id": "p1", "name": "Kettle",
            "category": "KITCHEN", "price": Decimal("24.50"), "version": Decimal(1), **values}


def user() -> dict[str, Any]:
    return {"PK": "USER#u9", "SK": "METADATA", "type": "User", "user_id": "u9",
            "email": "u9@example.com", "name": "Grace", "version": Decimal(1)}


def app(endpoint: str, shop) -> Any:  # noqa: ANN001
    """The table as the application sees it: plain boto3, nothing of dynadmin's."""
    return boto3.resource("dynamodb", endpoint_url=endpoint).Table(shop.table_name)


def activity_url(**params: str) -> str:
    url = reverse("dynadmin:activity", kwargs={"table": "Application"})
    return url + ("?" + urlencode(params) if params else "")


def rows(response: Any) -> list[dict[str, str]]:
    """Each change as the page shows it: event, origin and its diff's text."""
    html = response.content.decode()
    found = []
    for event, origin, body in re.findall(
            r'<tr data-event="(\w+)" data-origin="(\w+)">(.*?)</tr>', html, re.S):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        found.append({"event": event, "origin": origin, "text": text})
    return found
