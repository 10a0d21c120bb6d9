"""The real servers, started by `dyttctl up`: each one proven real by a round trip."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from io import BytesIO

import etcd3
import httpx
import psutil
import pymysql
import pytest

from stack.bootstrap import minio_client, mysql_app_args
from tests.conftest import RunningStack

pytestmark = pytest.mark.stack


def _component(stack: RunningStack, name: str):
    return stack.context.definition.components[name]


def _etcd(stack: RunningStack) -> etcd3.Etcd3Client:
    comp = _component(stack, "etcd")
    return etcd3.client(host="127.0.0.1", port=comp.port, timeout=5)


def test_status_reports_every_server_running_and_healthy(running_stack: RunningStack) -> None:
    rows = running_stack.status()
    for name in ("mysql", "etcd", "minio", "zipkin"):
        row = rows[name]
        assert row["state"] == "running", row
        assert row["health"] == "ok", row
        assert psutil.pid_exists(row["pid"])
        assert row["uptime_s"] >= 0
    port = _component(running_stack, "zipkin").port
    assert rows["zipkin"]["endpoints"]["main"] == f"http://127.0.0.1:{port}"


def test_mariadb_sql_round_trip_as_the_application_user(running_stack: RunningStack) -> None:
    args = mysql_app_args(running_stack.context, _component(running_stack, "mysql"))
    conn = pymysql.connect(**args, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            assert "MariaDB" in cur.fetchone()[0]
            cur.execute("CREATE TABLE IF NOT EXISTS probe (id INT PRIMARY KEY, v VARCHAR(64))")
            cur.execute("REPLACE INTO probe VALUES (1, %s)", ("héllo ✓",))
            cur.execute("SELECT v FROM probe WHERE id = 1")
            assert cur.fetchone()[0] == "héllo ✓"
    finally:
        conn.close()


def test_mariadb_refuses_a_wrong_password(running_stack: RunningStack) -> None:
    args = mysql_app_args(running_stack.context, _component(running_stack, "mysql"))
    with pytest.raises(pymysql.err.OperationalError, match="Access denied"):
        pymysql.connect(**{**args, "password": "wrong"})


def test_etcd_put_get_and_watch(running_stack: RunningStack) -> None:
    client = _etcd(running_stack)
    prefix = f"/test/{uuid.uuid4().hex}/"
    events, cancel = client.watch_prefix(prefix)
    seen: list[tuple[str, bytes]] = []

    def consume() -> None:
        for event in events:
            seen.append((event.key.decode(), event.value))
            if len(seen) == 2:
                return

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    client.put(prefix + "a", "1")
    client.put(prefix + "b", "2")
    reader.join(timeout=10)
    cancel()
    assert seen == [(prefix + "a", b"1"), (prefix + "b", b"2")]
    value, _meta = client.get(prefix + "a")
    assert value == b"1"
    client.close()


def test_etcd_lease_expiry_removes_the_key(running_stack: RunningStack) -> None:
    client = _etcd(running_stack)
    key = f"/test/lease/{uuid.uuid4().hex}"
    lease = client.lease(2)
    client.put(key, "alive", lease=lease)
    assert client.get(key)[0] == b"alive"
    deadline = time.monotonic() + 10
    while client.get(key)[0] is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get(key)[0] is None
    client.close()


def test_minio_put_get_and_public_read(running_stack: RunningStack) -> None:
    ctx = running_stack.context
    comp = _component(running_stack, "minio")
    client = minio_client(ctx, comp)
    bucket = comp.params["bucket"]
    body = secrets.token_bytes(256 * 1024)
    name = f"test/{uuid.uuid4().hex}.bin"
    client.put_object(bucket, name, BytesIO(body), len(body), content_type="video/mp4")
    response = client.get_object(bucket, name)
    try:
        assert response.read() == body
    finally:
        response.close()
        response.release_conn()
    # the media bucket serves objects to anyone (players fetch play_url directly) ...
    public = httpx.get(f"{ctx.endpoint(comp)}/{bucket}/{name}")
    assert public.status_code == 200 and public.content == body
    # ... but does not let anyone list or write
    assert httpx.get(f"{ctx.endpoint(comp)}/{bucket}/").status_code == 403
    assert httpx.put(f"{ctx.endpoint(comp)}/{bucket}/x", content=b"x").status_code == 403


def test_zipkin_accepts_a_span_and_returns_its_trace(running_stack: RunningStack) -> None:
    base = running_stack.context.endpoint(_component(running_stack, "zipkin"))
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    span = {
        "traceId": trace_id,
        "id": span_id,
        "name": "probe",
        "kind": "SERVER",
        "timestamp": int(time.time() * 1_000_000),
        "duration": 1234,
        "localEndpoint": {"serviceName": "dytt-test"},
    }
    posted = httpx.post(f"{base}/api/v2/spans", json=[span], timeout=5)
    assert posted.status_code == 202
    deadline = time.monotonic() + 10
    while True:
        got = httpx.get(f"{base}/api/v2/trace/{trace_id}", timeout=5)
        if got.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got.status_code == 200
    spans = got.json()
    assert [(s["id"], s["name"], s["duration"]) for s in spans] == [(span_id, "probe", 1234)]
    assert spans[0]["localEndpoint"]["serviceName"] == "dytt-test"


def test_down_stops_every_pid_and_up_keeps_the_data(running_stack: RunningStack) -> None:
    ctx = running_stack.context
    args = mysql_app_args(ctx, _component(running_stack, "mysql"))
    marker = uuid.uuid4().hex
    conn = pymysql.connect(**args, autocommit=True)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS survivors (v VARCHAR(64) PRIMARY KEY)")
        cur.execute("INSERT INTO survivors VALUES (%s)", (marker,))
    conn.close()
    etcd = _etcd(running_stack)
    etcd.put("/test/survivor", marker)
    etcd.close()
    pids = {name: row["pid"] for name, row in running_stack.status().items()}

    running_stack.dyttctl("down")
    for name, pid in pids.items():
        alive = psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        assert not alive, f"{name} (pid {pid}) survived down"
    assert {row["state"] for row in running_stack.status().values()} == {"stopped"}

    running_stack.dyttctl("up")
    conn = pymysql.connect(**args)
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM survivors WHERE v = %s", (marker,))
        assert cur.fetchone()[0] == 1
    conn.close()
    etcd = _etcd(running_stack)
    assert etcd.get("/test/survivor")[0] == marker.encode()
    etcd.close()
    new_pids = {name: row["pid"] for name, row in running_stack.status().items()}
    assert all(new_pids[n] != pids[n] for n in pids)


def test_status_json_is_machine_readable(running_stack: RunningStack) -> None:
    doc = json.loads(running_stack.dyttctl("status", "--json"))
    assert doc["home"] == str(running_stack.home)
    for row in doc["components"]:
        assert set(row) >= {"name", "state", "pid", "endpoints", "health", "uptime_s"}
