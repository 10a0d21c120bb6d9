"""A second user-service instance beside the stack's: killed, or stopped mid-flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import etcd3
import grpc
import httpx
import pytest

from pki.store import PkiStore
from protos import user_pb2, user_pb2_grpc
from services.mesh.tls import IdentityFiles, channel_credentials
from stack.ports import free_port
from stack.wiring import service_env
from tests.conftest import RunningStack
from tests.e2e.conftest import body, register, unique_name

pytestmark = pytest.mark.stack
PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Instance:
    proc: subprocess.Popen
    instance_id: str
    address: str
    key: str


def _registered(stack: RunningStack) -> dict[str, dict]:
    etcd = stack.context.definition.components["etcd"]
    client = etcd3.client(port=etcd.port)
    try:
        return {m.key.decode(): json.loads(v) for v, m in client.get_prefix("/dytt/services/user/")}
    finally:
        client.close()


def _wait(predicate, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def second_user(running_stack: RunningStack, tmp_path: Path) -> Iterator[Instance]:
    ctx = running_stack.context
    port = free_port()
    instance_id = f"second-{port}"
    env = {**running_stack.env, **service_env(ctx, ctx.definition.components["user"]),
           "DYTT_SVC_PORT": str(port), "DYTT_SVC_INSTANCE_ID": instance_id}
    log = (tmp_path / "second-user.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "services.user"], env=env, cwd=PROJECT,
                            stdout=log, stderr=subprocess.STDOUT)
    key = f"/dytt/services/user/{instance_id}"
    _wait(lambda: key in _registered(running_stack), timeout=20)
    yield Instance(proc, instance_id, f"127.0.0.1:{port}", key)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    log.close()


def test_kill_9_leaves_the_registry_within_the_ttl_and_reads_never_fail(
    running_stack: RunningStack, api: httpx.Client, second_user: Instance
) -> None:
    user_id, _ = register(api)
    failures: list[dict] = []
    served = 0
    stop = threading.Event()

    def reads() -> None:
        nonlocal served
        while not stop.is_set():
            doc = body(api.get("/douyin/user/", params={"user_id": user_id}))
            if doc["status_code"] != 0:
                failures.append(doc)
            served += 1

    reader = threading.Thread(target=reads)
    reader.start()
    _wait(lambda: served >= 10, timeout=30)  # the reads flow
    second_user.proc.send_signal(signal.SIGKILL)
    gone = _wait(lambda: second_user.key not in _registered(running_stack), timeout=10)
    after = served
    _wait(lambda: served >= after + 10, timeout=30)  # and still flow once it is gone
    stop.set()
    reader.join()
    print(f"\nkill -9 -> key gone in {gone:.2f}s; {served} reads, {len(failures)} failed")
    assert gone <= 5.5  # the registry TTL is 5 s
    assert failures == []
    assert served > 20


def test_sigterm_lets_in_flight_rpcs_finish_then_deregisters(
    running_stack: RunningStack, second_user: Instance
) -> None:
    store = PkiStore(running_stack.home / "pki")
    creds = channel_credentials(IdentityFiles(store, "gateway").load())
    results: list[object] = []
    with grpc.secure_channel(second_user.address, creds) as channel:
        stub = user_pb2_grpc.UserServiceStub(channel)
        stub.GetUsers(user_pb2.GetUsersRequest(user_ids=[1]), timeout=5)  # connected
        # sent on the connected channel before the signal: six bcrypt runs take ~1 s on two
        # cores, so the signal arrives while they run
        calls = [stub.Register.future(user_pb2.RegisterRequest(username=unique_name("t"),
                                                               password="secret123"), timeout=20)
                 for _ in range(6)]
        os.kill(second_user.proc.pid, signal.SIGTERM)
        for call in calls:
            try:
                results.append(call.result())
            except grpc.RpcError as exc:
                results.append(exc)
    assert second_user.proc.wait(timeout=20) == 0
    errors = [r for r in results if isinstance(r, grpc.RpcError)]
    assert errors == [], [e.details() for e in errors]
    assert all(r.user_id > 0 for r in results)
    assert second_user.key not in _registered(running_stack)
