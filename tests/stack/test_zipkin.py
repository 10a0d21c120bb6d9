"""The Zipkin client: the span tree without a server, and a real round trip with one."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import httpx
import pytest

from stack.errors import StackError
from stack.zipkin import Span, TraceSummary, ZipkinClient, span_tree, zipkin_client
from tests.conftest import RunningStack


def _span(id: str, parent: str | None, start: int, name: str | None = None) -> Span:
    return Span(trace_id="t", id=id, parent_id=parent, name=name or id, service="svc",
                kind=None, timestamp_us=start, duration_us=10)


def test_span_tree_nests_children_depth_first_by_start_time() -> None:
    spans = [
        _span("c2", "root", 30),
        _span("g1", "c1", 15),
        _span("root", None, 0),
        _span("c1", "root", 10),
        _span("g2", "c2", 35),
    ]
    tree = span_tree(spans)
    assert [(d, s.id) for d, s in tree] == [
        (0, "root"), (1, "c1"), (2, "g1"), (1, "c2"), (2, "g2"),
    ]
    assert not any(s.orphan for _, s in tree)


def test_span_tree_puts_orphans_at_depth_zero_after_the_root_and_flags_them() -> None:
    spans = [
        _span("lost", "missing", 5),
        _span("root", None, 20),
        _span("child-of-lost", "lost", 6),
    ]
    tree = span_tree(spans)
    assert [(d, s.id, s.orphan) for d, s in tree] == [
        (0, "root", False), (0, "lost", True), (1, "child-of-lost", False),
    ]
    assert spans[0].orphan is False  # the caller's spans are left alone


def test_span_tree_survives_a_parent_cycle_and_shows_every_span() -> None:
    spans = [_span("a", "b", 0), _span("b", "a", 1), _span("self", "self", 2)]
    tree = span_tree(spans)
    assert sorted(s.id for _, s in tree) == ["a", "b", "self"]
    assert all(s.orphan for d, s in tree if d == 0)


def test_summary_uses_the_parentless_span_as_root() -> None:
    spans = [_span("early-orphan", "gone", 0, "x"), _span("root", None, 5, "GET /")]
    summary = TraceSummary.from_spans(spans)
    assert (summary.root_name, summary.span_count, summary.error) == ("GET /", 2, False)
    assert summary.duration_ms == pytest.approx(0.015)


def test_an_unreachable_zipkin_is_a_one_line_stack_error() -> None:
    client = ZipkinClient("http://127.0.0.1:9", timeout=1)
    with pytest.raises(StackError, match="not reachable") as info:
        client.services()
    assert "\n" not in str(info.value)


def _poll(check: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def post_sample_trace(base: str) -> tuple[str, list[str]]:
    """Post a gateway -> (client) -> user trace whose innermost span failed; return its ids."""
    trace_id = secrets.token_hex(16)
    root, client, server = (secrets.token_hex(8) for _ in range(3))
    now = int(time.time() * 1_000_000)
    spans = [
        {"traceId": trace_id, "id": root, "name": "get /api/videos", "kind": "SERVER",
         "timestamp": now, "duration": 50_000, "localEndpoint": {"serviceName": "gateway"}},
        {"traceId": trace_id, "id": client, "parentId": root, "name": "user.getuser",
         "kind": "CLIENT", "timestamp": now + 5_000, "duration": 30_000,
         "localEndpoint": {"serviceName": "gateway"}},
        {"traceId": trace_id, "id": server, "parentId": client, "name": "db.query",
         "timestamp": now + 10_000, "duration": 20_000,
         "localEndpoint": {"serviceName": "user"}, "tags": {"error": "boom"}},
    ]
    posted = httpx.post(f"{base}/api/v2/spans", json=spans, timeout=5)
    assert posted.status_code == 202
    return trace_id, [root, client, server]


@pytest.mark.stack
def test_trace_and_traces_against_the_real_zipkin(running_stack: RunningStack) -> None:
    client = zipkin_client(running_stack.context)
    trace_id, ids = post_sample_trace(client.base_url)

    def stored() -> bool:
        try:
            return len(client.trace(trace_id)) == 3
        except StackError:
            return False

    assert _poll(stored)
    tree = span_tree(client.trace(trace_id))
    assert [(d, s.id, s.service) for d, s in tree] == [
        (0, ids[0], "gateway"), (1, ids[1], "gateway"), (2, ids[2], "user"),
    ]
    assert [s.error for _, s in tree] == [False, False, True]
    assert tree[1][1].kind == "CLIENT"

    def listed() -> TraceSummary | None:
        return next((t for t in client.traces(service="gateway") if t.trace_id == trace_id),
                    None)

    assert _poll(lambda: listed() is not None)
    summary = listed()
    assert summary is not None
    assert (summary.span_count, summary.error) == (3, True)
    assert (summary.root_service, summary.root_name) == ("gateway", "get /api/videos")
    assert summary.duration_ms == pytest.approx(50.0)
    assert "gateway" in client.services() and "user" in client.services()
    assert _poll(lambda: any(t.trace_id == trace_id
                             for t in client.traces(errors_only=True, min_duration_ms=40)))
    assert not any(t.trace_id == trace_id for t in client.traces(min_duration_ms=60))
    assert client.ui_url(trace_id) == f"{client.base_url}/zipkin/traces/{trace_id}"


@pytest.mark.stack
def test_an_unknown_trace_is_a_clear_error(running_stack: RunningStack) -> None:
    client = zipkin_client(running_stack.context)
    with pytest.raises(StackError, match="not found"):
        client.trace(secrets.token_hex(16))


@pytest.mark.stack
def test_zipkin_past_its_span_limit_stays_healthy(tmp_path) -> None:
    """More spans than MEM_MAX_SPANS, with the heap scaled down at stack.toml's spans per MB."""
    from stack.definition import load_definition
    from stack.ports import free_port
    from stack.state import StackContext
    from tests.stack.zipkin_load import live_heap_mb, post_traces, start_zipkin, wait_healthy

    ctx = StackContext(load_definition(tmp_path / "none.toml", {}), tmp_path)
    native = ctx.definition.components["zipkin"].native
    assert native is not None
    jar = ctx.bin_dir / "zipkin-server-exec.jar"
    if not jar.exists():
        pytest.skip(f"{jar} is not installed (dyttctl install)")
    per_mb = int(native.env["MEM_MAX_SPANS"]) / int(
        next(a for a in native.command if a.startswith("-Xmx"))[4:-1])
    heap = 192
    limit = int(per_mb * heap)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_zipkin(jar, port, heap, limit, tmp_path / "zipkin.log")
    try:
        wait_healthy(base)
        posted, first, newest = 0, "", ""
        with httpx.Client() as http:
            while posted < limit * 3 // 2:
                ids = post_traces(http, base, 200)
                first, newest = first or ids[0], ids[-1]
                posted += 200 * 6
                started = time.monotonic()
                assert http.get(f"{base}/health", timeout=5).status_code == 200
                assert time.monotonic() - started < 1.0
        client = ZipkinClient(base)

        def stored() -> bool:
            try:
                return len(client.trace(newest)) == 6
            except StackError:
                return False

        assert _poll(stored)
        with pytest.raises(StackError, match="not found"):
            client.trace(first)  # evicted: the store keeps the newest `limit` spans
        # what stays fits the heap with room to spare
        live = live_heap_mb(proc.pid)
        print(f"zipkin -Xmx{heap}m, MEM_MAX_SPANS={limit}, {posted} spans posted: "
              f"live heap {live:.0f} MB")
        assert live < 0.6 * heap
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
