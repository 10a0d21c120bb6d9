"""Fault drills under a mixed read/write load: rolling restarts of every service and of the
gateway, an etcd outage, a MariaDB restart. Every reply the clients got must be true afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.conftest import RunningStack
from tests.load import OUTCOME_UNKNOWN, Load, MixedLoad, audit, prepare

pytestmark = pytest.mark.stack

SERVICES = ("user", "feed", "publish", "favorite", "comment", "relation", "message")
UNAVAILABLE = 1500


@pytest.fixture(scope="module")
def drill_host(running_stack: RunningStack, sample_video: bytes) -> tuple[int, int, str]:
    """The video everybody likes and comments on, and the user everybody follows and writes to."""
    return prepare(running_stack.gateway_url, sample_video)


@pytest.fixture
def load(running_stack: RunningStack, drill_host: tuple[int, int, str]) -> Iterator[MixedLoad]:
    """The mix, flowing (a few rounds done) before the drill starts."""
    video_id, host_id, token = drill_host
    with MixedLoad(running_stack.gateway_url, video_id=video_id, host_id=host_id,
                   host_token=token) as mixed:
        mixed.wait_for(30)
        yield mixed


def _finish(running_stack: RunningStack, mixed: MixedLoad, drill_host: tuple[int, int, str],
            name: str) -> Load:
    # the load keeps going a little after the drill: the stack must have settled, not just
    # survived its end
    mixed.wait_for(30)
    result = mixed.stop()
    print(f"\n{name}: {result.summary()}")
    video_id, _, token = drill_host
    assert audit(running_stack.gateway_url, result, token, video_id) == []
    return result


def test_rolling_restart_of_every_service_and_the_gateway_fails_no_request(
        running_stack: RunningStack, drill_host: tuple[int, int, str], load: MixedLoad) -> None:
    for name in (*SERVICES, "gateway"):
        before = load.count()
        running_stack.dyttctl("restart", name)
        load.wait_for(10)
        print(f"\nrestart {name}: {load.count() - before} requests meanwhile")
    result = _finish(running_stack, load, drill_host, "rolling restarts")
    assert [(r.kind, r.status_code, r.status_msg) for r in result.failed] == []


def test_an_etcd_outage_fails_no_request(running_stack: RunningStack,
                                         drill_host: tuple[int, int, str],
                                         load: MixedLoad) -> None:
    running_stack.dyttctl("stop", "etcd")
    stopped = time.monotonic()
    # 8 s: longer than the services' 5 s lease, so their registrations must come back
    load.wait_for(20)
    time.sleep(max(0.0, 8 - (time.monotonic() - stopped)))
    running_stack.dyttctl("start", "etcd")
    # the 30 s after etcd's return are where channels used to be torn down under calls
    until = time.monotonic() + 30
    while time.monotonic() < until:
        load.wait_for(5)
    result = _finish(running_stack, load, drill_host, "etcd outage")
    assert [(r.kind, r.status_code, r.status_msg) for r in result.failed] == []


def test_a_mariadb_restart_fails_no_read_and_tells_writers_the_truth(
        running_stack: RunningStack, drill_host: tuple[int, int, str], load: MixedLoad) -> None:
    restarted = time.monotonic()
    running_stack.dyttctl("restart", "mysql")
    back = time.monotonic()
    load.wait_for(20)
    result = _finish(running_stack, load, drill_host, "MariaDB restart")
    reads = [r for r in result.failed if not r.write]
    assert [(r.kind, r.status_code, r.status_msg) for r in reads] == []
    # a write during the outage is refused as "try again" (nothing applied) or, if the
    # connection broke during its COMMIT, as of unknown outcome: never an internal error
    writes = [r for r in result.failed if r.write]
    assert {r.status_code for r in writes} <= {UNAVAILABLE, OUTCOME_UNKNOWN}, writes
    assert all("try again" in r.status_msg or "may" in r.status_msg for r in writes)
    # recovery: how long after MariaDB was ready again writes were still refused
    recovery = max([r.at - back for r in writes] + [0.0])
    print(f"restart took {back - restarted:.1f}s; {len(writes)} writes refused; "
          f"writes refused up to {recovery:.2f}s after MariaDB was ready")
