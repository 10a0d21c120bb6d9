"""Readiness and health checks: one probe per kind of component, each a real request."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pymysql

from stack.definition import Component
from stack.state import StackContext


@dataclass(frozen=True)
class Health:
    """The result of one probe."""

    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return "ok" if self.ok else f"failing: {self.detail}"


def _tcp(ctx: StackContext, comp: Component, timeout: float) -> Health:
    try:
        with socket.create_connection((ctx.host(comp), comp.port), timeout=timeout):
            return Health(True)
    except OSError as exc:
        return Health(False, exc.strerror or str(exc))


def _http(ctx: StackContext, comp: Component, timeout: float) -> Health:
    url = ctx.endpoint(comp) + comp.ready.path
    try:
        resp = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return Health(False, f"{url}: {exc.__class__.__name__}")
    if resp.status_code != 200:
        return Health(False, f"{url}: HTTP {resp.status_code}")
    return Health(True)


def _etcd(ctx: StackContext, comp: Component, timeout: float) -> Health:
    url = ctx.endpoint(comp) + "/health"
    try:
        resp = httpx.get(url, timeout=timeout)
        healthy = resp.status_code == 200 and resp.json().get("health") == "true"
    except (httpx.HTTPError, ValueError) as exc:
        return Health(False, f"{url}: {exc.__class__.__name__}")
    return Health(True) if healthy else Health(False, f"{url}: {resp.text.strip()[:80]}")


def _sql(ctx: StackContext, comp: Component, timeout: float) -> Health:
    from stack.bootstrap import mysql_admin_args

    try:
        conn = pymysql.connect(**mysql_admin_args(ctx, comp), connect_timeout=max(1, int(timeout)))
    except pymysql.MySQLError as exc:
        return Health(False, str(exc.args[-1]) if exc.args else exc.__class__.__name__)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    finally:
        conn.close()
    return Health(True)


PROBES: dict[str, Callable[[StackContext, Component, float], Health]] = {
    "tcp": _tcp,
    "http": _http,
    "etcd": _etcd,
    "sql": _sql,
}


def probe(ctx: StackContext, comp: Component, timeout: float = 2.0) -> Health:
    """Run the component's readiness check once."""
    return PROBES[comp.ready.check](ctx, comp, timeout)
