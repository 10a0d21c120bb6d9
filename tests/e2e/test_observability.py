"""One trace per request across processes, trace ids on responses and in logs, Zipkin optional."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.conftest import RunningStack
from tests.e2e.conftest import body, register

pytestmark = pytest.mark.stack


def _zipkin(stack: RunningStack) -> str:
    return stack.context.endpoint(stack.context.definition.components["zipkin"])


def _complete(spans: list[dict], want_services: set[str]) -> bool:
    """Every wanted service, the SQL, one root and every parent have arrived: a service exports
    its spans in batches, so one of its spans is no sign that the others are in Zipkin too."""
    ids = {s["id"] for s in spans}
    return (want_services <= {s["localEndpoint"]["serviceName"] for s in spans}
            and any(s["name"].startswith("select") for s in spans)
            and sum("parentId" not in s for s in spans) == 1
            and all(s["parentId"] in ids for s in spans if "parentId" in s))


def _trace(stack: RunningStack, trace_id: str, want_services: set[str]) -> list[dict]:
    """The spans of a trace once it is whole (see `_complete`)."""
    deadline = time.monotonic() + 15
    spans: list[dict] = []
    while time.monotonic() < deadline:
        got = httpx.get(f"{_zipkin(stack)}/api/v2/trace/{trace_id}", timeout=5)
        if got.status_code == 200:
            spans = got.json()
            if _complete(spans, want_services):
                return spans
        time.sleep(0.25)
    pytest.fail(f"trace {trace_id} incomplete after 15 s: {spans}")


def test_a_rest_call_is_one_trace_across_gateway_service_and_sql(
    running_stack: RunningStack, api: httpx.Client
) -> None:
    user_id, _ = register(api)
    response = api.get("/douyin/user/", params={"user_id": user_id})
    assert body(response)["status_code"] == 0
    trace_id = response.headers["X-Trace-Id"]
    assert len(trace_id) == 32

    spans = _trace(running_stack, trace_id, {"gateway", "user"})
    by_id = {s["id"]: s for s in spans}
    roots = [s for s in spans if "parentId" not in s]
    assert len(roots) == 1, "exactly one root span"
    assert all(s["parentId"] in by_id for s in spans if "parentId" in s), "no orphan span"
    root = roots[0]
    assert root["localEndpoint"]["serviceName"] == "gateway" and root["kind"] == "SERVER"

    def parent_service(span: dict) -> str:
        return by_id[span["parentId"]]["localEndpoint"]["serviceName"]

    server = next(s for s in spans if s["localEndpoint"]["serviceName"] == "user"
                  and s.get("kind") == "SERVER")
    assert "getuser" in server["name"] and parent_service(server) == "gateway"
    sql = [s for s in spans if s["name"].startswith("select")]
    assert sql and all(by_id[s["parentId"]]["id"] == server["id"] for s in sql)


def test_error_responses_carry_a_trace_id_that_finds_their_log_lines(
    running_stack: RunningStack, api: httpx.Client
) -> None:
    response = api.get("/douyin/user/", params={"user_id": 987654321987})
    assert body(response)["status_code"] != 0
    trace_id = response.headers["X-Trace-Id"]
    deadline = time.monotonic() + 10
    components: set[str] = set()
    # both components' lines and the gateway's rpc line: not merely the first line written
    while time.monotonic() < deadline:
        out = running_stack.dyttctl("logs", "--trace", trace_id, "--json")
        lines = [json.loads(line) for line in out.splitlines()]
        components = {line["component"] for line in lines}
        if components == {"gateway", "user"} and any(ln["message"] == "rpc" for ln in lines):
            break
        time.sleep(0.2)
    assert components == {"gateway", "user"}
    assert all(line["trace_id"] == trace_id for line in lines)
    rpc = next(line for line in lines if line["message"] == "rpc")
    assert rpc["code"] == "NOT_FOUND" and rpc["caller"] == "gateway"
    plain = running_stack.dyttctl("logs", "gateway", "--trace", trace_id)
    assert f"/zipkin/traces/{trace_id}" in plain


def test_requests_succeed_while_zipkin_is_down(
    running_stack: RunningStack, api: httpx.Client
) -> None:
    running_stack.dyttctl("down", "zipkin")
    try:
        started = time.monotonic()
        for _ in range(20):
            user_id, _token = register(api)
            response = api.get("/douyin/user/", params={"user_id": user_id})
            assert body(response)["status_code"] == 0
            assert response.headers["X-Trace-Id"]
        assert time.monotonic() - started < 30
    finally:
        running_stack.dyttctl("up")
    # and tracing resumes once it is back
    response = api.get("/douyin/user/", params={"user_id": user_id})
    _trace(running_stack, response.headers["X-Trace-Id"], {"gateway", "user"})


def test_dyttctl_trace_prints_the_tree_of_a_real_request(
    running_stack: RunningStack, api: httpx.Client
) -> None:
    user_id, _ = register(api)
    response = api.get("/douyin/user/", params={"user_id": user_id})
    trace_id = response.headers["X-Trace-Id"]
    _trace(running_stack, trace_id, {"gateway", "user"})
    doc = json.loads(running_stack.dyttctl("trace", trace_id, "--json"))
    spans = doc["spans"]
    assert spans[0]["depth"] == 0 and spans[0]["service"] == "gateway"
    user_server = next(s for s in spans if s["service"] == "user" and s["kind"] == "SERVER")
    sql = [s for s in spans if s["name"].startswith("select")]
    assert sql and all(s["depth"] == user_server["depth"] + 1 for s in sql)
    assert not any(s.get("orphan") for s in spans)
    waterfall = running_stack.dyttctl("trace", trace_id)
    assert "gateway" in waterfall and "user" in waterfall and doc["ui_url"] in waterfall
