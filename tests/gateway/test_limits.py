"""The abuse limits: the token buckets on an injected clock, then through the gateway."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from gateway.limits import Limits, LimitSettings, Rate, TokenBucket
from gateway.settings import GatewaySettings
from services.mesh.errors import AppError, Code
from tests.gateway.conftest import Gateway


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("text", "rate"), [
    ("10/60s burst 5", Rate(10, 60.0, 5)),
    ("20/s burst 40", Rate(20, 1.0, 40)),
    ("100/h", Rate(100, 3600.0, 100)),
    (" 3 / 2m ", Rate(3, 120.0, 3)),
])
def test_rates_parse(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "10", "ten/s", "10/60", "0/s", "5/s burst 0", "5/0s"])
def test_nonsense_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Rate.parse(text)


def test_settings_refuse_a_nonsense_limit() -> None:
    with pytest.raises(ValidationError, match="not a rate"):
        GatewaySettings(login_per_username="lots")  # type: ignore[call-arg]


def test_a_burst_then_the_sustained_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(Rate(10, 60.0, 5), clock=clock)  # a token every 6 s
    assert [bucket.take("ann") for _ in range(5)] == [0.0] * 5
    assert bucket.take("ann") == pytest.approx(6.0)
    clock.now += 3
    assert bucket.take("ann") == pytest.approx(3.0)  # refused attempts cost nothing
    clock.now += 3
    assert bucket.take("ann") == 0.0
    assert bucket.take("ann") == pytest.approx(6.0)
    assert bucket.take("bob") == 0.0  # keys are independent


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(Rate(1, 1.0, 3), clock=clock)
    bucket.take("k")
    clock.now += 3600
    assert [bucket.take("k") for _ in range(4)][-1] > 0


def test_idle_keys_are_evicted_once_refilled() -> None:
    clock = Clock()
    bucket = TokenBucket(Rate(10, 60.0, 5), clock=clock)  # full again 30 s after the last use
    for name in ("a", "b", "c"):
        bucket.take(name)
        clock.now += 10
    assert len(bucket) == 3
    clock.now += 11  # a was last used 41 s ago, b 31 s ago, c 21 s ago
    bucket.take("d")
    assert len(bucket) == 2  # c and d


def test_memory_is_bounded_by_max_keys() -> None:
    bucket = TokenBucket(Rate(1, 60.0, 1), max_keys=100, clock=Clock())
    for i in range(10_000):
        bucket.take(f"user{i}")
    assert len(bucket) == 100


def test_concurrent_takes_spend_exactly_the_burst() -> None:
    bucket = TokenBucket(Rate(1, 3600.0, 50), clock=Clock())
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(100):
            ok = bucket.take("one") == 0.0
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 50 and len(allowed) == 800


def test_limits_say_what_was_exceeded_and_when_to_retry() -> None:
    clock = Clock()
    limits = Limits(LimitSettings("2/60s", "100/s", "1/s"), clock=clock)
    limits.login("Ann", "10.0.0.1")
    limits.login("ann", "10.0.0.2")  # names are counted case-insensitively
    with pytest.raises(AppError) as refused:
        limits.login("ANN", "10.0.0.3")
    assert refused.value.code == Code.TOO_MANY_REQUESTS
    assert "username 'ANN'" in refused.value.message and "retry in 30 s" in refused.value.message
    limits.action(7)
    with pytest.raises(AppError, match=r"too many actions by this user.*retry in 1 s"):
        limits.action(7)
    limits.action(8)


def login(gateway: Gateway, name: str) -> dict:
    """A login's JSON reply."""
    return gateway.http.post("/douyin/user/login/",
                             data={"username": name, "password": "secret123"}).json()


def test_the_login_after_the_burst_is_refused_without_calling_the_service(
    make_gateway: Callable[..., Gateway],
) -> None:
    gateway = make_gateway(login_per_username="3/60s burst 3")
    assert [login(gateway, "ann")["status_code"] for _ in range(3)] == [0, 0, 0]
    doc = login(gateway, "ann")
    assert doc["status_code"] == int(Code.TOO_MANY_REQUESTS)
    assert "username 'ann'" in doc["status_msg"] and "retry in 20 s" in doc["status_msg"]
    assert {k: v for k, v in doc.items() if k != "status_msg"} == {
        "status_code": 1009, "user_id": 0, "token": ""}
    assert len(gateway.services["user"].calls) == 3
    # registering the same name counts against the same limit; another name does not
    register = gateway.http.post("/douyin/user/register/",
                                 data={"username": "ann", "password": "secret123"}).json()
    assert register["status_code"] == 1009 and register["token"] == ""
    assert login(gateway, "bob")["status_code"] == 0


def test_one_address_trying_many_names_is_refused(make_gateway: Callable[..., Gateway]) -> None:
    gateway = make_gateway(login_per_address="2/60s burst 2")
    assert [login(gateway, f"user{i}")["status_code"] for i in range(3)] == [0, 0, 1009]
    assert "from testclient" in login(gateway, "user9")["status_msg"]
    assert len(gateway.services["user"].calls) == 2


def test_actions_are_limited_per_user(make_gateway: Callable[..., Gateway]) -> None:
    gateway = make_gateway(actions_per_user="2/60s burst 2")

    def like(user_id: int) -> dict:
        return gateway.http.post("/douyin/favorite/action/", data={
            "token": gateway.token(user_id), "video_id": "1", "action_type": "1"}).json()

    assert [like(7)["status_code"] for _ in range(3)] == [0, 0, 1009]
    comment = gateway.http.post("/douyin/comment/action/", data={
        "token": gateway.token(7), "video_id": "1", "action_type": "1", "comment_text": "hi"})
    assert comment.json()["status_code"] == 1009 and comment.json()["comment"] is None
    assert like(8)["status_code"] == 0
    assert len(gateway.services["favorite"].calls) == 3
    assert gateway.services["comment"].calls == []
    # reads are not actions
    assert gateway.http.get("/douyin/favorite/list/", params={"user_id": "7"}).json()[
        "status_code"] == 0
