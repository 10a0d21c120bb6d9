"""Helpers for end-to-end tests through the REST gateway of the running stack."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import RunningStack


@pytest.fixture(scope="session")
def api(running_stack: RunningStack) -> Iterator[httpx.Client]:
    """An HTTP client of the gateway that never follows redirects (the contract has none)."""
    with httpx.Client(base_url=running_stack.gateway_url, timeout=15,
                      follow_redirects=False) as client:
        yield client


def body(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a contract response, which is always HTTP 200 with a status_code."""
    assert response.status_code == 200, response.text
    doc = response.json()
    assert isinstance(doc["status_code"], int) and isinstance(doc["status_msg"], str)
    return doc


def unique_name(prefix: str = "u") -> str:
    """A username no other test uses."""
    return f"{prefix}{secrets.token_hex(6)}"


def register(api: httpx.Client, name: str | None = None,
             password: str = "secret123") -> tuple[int, str]:
    """Register a fresh user; its id and token."""
    doc = body(api.post("/douyin/user/register/",
                        params={"username": name or unique_name(), "password": password}))
    assert doc["status_code"] == 0, doc
    return doc["user_id"], doc["token"]
