"""The operator's loop on a stack of its own: up, scale, kill -9, rolling restart, down."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psutil
import pytest

from stack.readiness import registered_instances
from stack.supervisor.control import SupervisorClient
from tests.conftest import RunningStack, port_variables

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A second stack: this test takes it down, which the session's stack must not be."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYTT_")}
    env.update(port_variables())
    stack = RunningStack(tmp_path_factory.mktemp("ops-home"), env)
    yield stack
    stack.dyttctl("down", check=False)


def units(stack: RunningStack, component: str) -> list[dict[str, Any]]:
    return stack.status()[component]["extra"]["units"]


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Caller:
    """Calls one REST endpoint in a loop from two threads, counting failures."""

    def __init__(self, url: str) -> None:
        self.url, self.ok, self.failures = url, 0, []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._served = threading.Condition()
        self._threads = [threading.Thread(target=self._loop) for _ in range(2)]

    def _loop(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                try:
                    doc = client.get(self.url).json()
                    if doc["status_code"] == 0:
                        with self._served:
                            self.ok += 1
                            self._served.notify_all()
                    else:
                        self.failures.append(doc["status_msg"])
                except (httpx.HTTPError, ValueError) as exc:
                    self.failures.append(repr(exc))

    def served(self, more: int, timeout: float = 60) -> None:
        """Block until `more` calls from now have succeeded."""
        with self._served:
            target = self.ok + more
            assert self._served.wait_for(lambda: self.ok >= target, timeout), (
                f"{self.ok}/{target} calls served; failures: {self.failures[-3:]}")

    def __enter__(self) -> Caller:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def test_scale_kill_rolling_restart_and_down(own_stack: RunningStack) -> None:
    stack = own_stack
    stack.dyttctl("up")
    feed = stack.context.definition.components["feed"]
    stack.dyttctl("scale", "feed=2")
    feeds = units(stack, "feed")
    assert len(feeds) == 2 and {u["state"] for u in feeds} == {"running"}
    assert {i["pid"] for i in registered_instances(stack.context, feed)} == {
        u["pid"] for u in feeds}

    # kill -9 the second instance: the supervisor restarts it and it registers again
    victim = next(u for u in feeds if u["instance"])
    os.kill(victim["pid"], signal.SIGKILL)
    killed = time.monotonic()
    deadline = killed + 30
    while True:
        assert time.monotonic() < deadline, f"not restarted: {units(stack, 'feed')}"
        now = {u["unit"]: u for u in units(stack, "feed")}[victim["unit"]]
        registered = {i["pid"] for i in registered_instances(stack.context, feed)}
        if now["state"] == "running" and now["pid"] in registered:
            break
        time.sleep(0.2)
    print(f"\nkill -9 to serving again: {time.monotonic() - killed:.2f}s")
    assert now["pid"] != victim["pid"] and now["restarts"] == 1
    assert now["last_exit"] == "killed by signal 9"
    assert victim["pid"] not in registered

    # rolling restarts under a steady client: not one failed request
    gateway = stack.gateway_url
    user_id = httpx.post(f"{gateway}/douyin/user/register/", params={
        "username": "operator", "password": "secret123"}).json()["user_id"]
    for component, path in (("feed", "/douyin/feed/"), ("user", f"/douyin/user/?user_id={user_id}"),
                            ("gateway", "/douyin/feed/")):
        before = {u["pid"] for u in units(stack, component)}
        with Caller(gateway + path) as caller:
            caller.served(10)  # the calls flow before the restart...
            stack.dyttctl("restart", component)
            caller.served(11)  # ...and after it, to the new processes only
        after = {u["pid"] for u in units(stack, component)}
        print(f"rolling restart of {component}: {caller.ok} requests, "
              f"{len(caller.failures)} failed")
        assert caller.failures == [] and caller.ok > 20, component
        assert not before & after and len(after) == len(before)

    # down leaves no process behind, the supervisor included
    pids = [u["pid"] for row in stack.status().values() for u in row["extra"]["units"]
            if u["pid"]]
    supervisor = SupervisorClient(stack.context).call("ping")["pid"]
    stack.dyttctl("down")
    assert pids and not [pid for pid in pids if alive(pid)]
    assert not alive(supervisor)
    assert not (stack.home / "run" / "supervisor.sock").exists()
