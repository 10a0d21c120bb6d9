"""The login throttle of the real gateway: a flood at one username stops at the gateway."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gateway.limits import Rate
from gateway.settings import GatewaySettings
from services.mesh.errors import Code
from tests.conftest import RunningStack
from tests.e2e.conftest import body, register, unique_name

pytestmark = pytest.mark.stack


def user_service_trace_ids(stack: RunningStack) -> set[str]:
    """The trace ids of every request the user service has logged."""
    ids: set[str] = set()
    for path in (stack.home / "logs" / "user").glob("*.jsonl*"):
        for line in path.read_text(errors="replace").splitlines():
            try:
                ids.add(json.loads(line).get("trace_id") or "")
            except ValueError:
                continue
    return ids


def test_a_login_flood_at_one_username_is_throttled_before_the_user_service(
    api: httpx.Client, running_stack: RunningStack
) -> None:
    # the stack runs the shipped per-username limit (only the per-address one is loosened)
    burst = Rate.parse(GatewaySettings.model_fields["login_per_username"].default).burst
    name = unique_name("flood")
    register(api, name)  # the first attempt of the name

    def attempt(_: int = 0) -> httpx.Response:
        return api.post("/douyin/user/login/", params={"username": name,
                                                         "password": "secret123"})

    # the burst, concurrently: all let through but perhaps one (the register took a token)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = list(pool.map(attempt, range(burst)))
    codes = [body(r)["status_code"] for r in first]
    # on a loaded machine a login may outlive its deadline: let through all the same
    assert set(codes) <= {0, 1009, int(Code.DEADLINE_EXCEEDED), int(Code.OUTCOME_UNKNOWN)}
    assert codes.count(1009) <= 1, codes
    # then one at a time until refused (a slow burst may have refilled a few tokens); after
    # that, refusals take milliseconds while a token takes 6 s to refill
    for _ in range(burst):
        if body(attempt())["status_code"] == 1009:
            break
    then = [attempt() for _ in range(10)]
    refused = [(r, body(r)) for r in then if body(r)["status_code"] == 1009]
    assert len(refused) >= 9, [body(r) for r in then]
    for _, doc in refused:
        assert doc["user_id"] == 0 and doc["token"] == "" and set(doc) == {
            "status_code", "status_msg", "user_id", "token"}
        assert f"username {name!r}" in doc["status_msg"] and "retry in" in doc["status_msg"]
    accepted = [r for r in first if body(r)["status_code"] == 0]

    # a refused login never reached the user service: its trace id is not in its logs
    deadline = time.monotonic() + 10
    while True:
        seen = user_service_trace_ids(running_stack)
        if all(r.headers["X-Trace-Id"] in seen for r in accepted) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert all(r.headers["X-Trace-Id"] in seen for r in accepted)
    assert not any(r.headers["X-Trace-Id"] in seen for r, _ in refused)
    # another name is not affected
    other = unique_name("flood")
    register(api, other)
