"""The swarm stack deployed for real: two replicas of every service and of the gateway on a
single-node swarm, the infrastructure native on this machine at its non-loopback address.

Needs a Docker engine (skipped when none answers); the app image is brought up to date with
`dyttctl images build app`. Leaves nothing running: the stack is removed, the swarm left
if this test made it, the infrastructure stopped.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest

from stack.cluster import engine
from stack.cluster.plan import host_address
from stack.errors import ProviderUnavailable
from tests.conftest import RunningStack, port_variables
from tests.e2e.conftest import ok, publish, register

INFRA = ("mysql", "etcd", "minio", "zipkin")
SERVICES = ("user", "feed", "publish", "favorite", "comment", "relation", "message")


@dataclass
class Swarm:
    """The deployed stack: its state dir (dyttctl's view), its name and the gateway's URL."""

    infra: RunningStack
    name: str
    gateway_url: str
    deploy_seconds: float
    figures: dict[str, Any] = field(default_factory=dict)

    def docker(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(["docker", *args], capture_output=True, text=True,
                                timeout=timeout, check=False)
        assert result.returncode == 0, f"docker {' '.join(args)}: {result.stderr}"
        return result.stdout

    def running(self, component: str) -> int:
        """Tasks of `component` running (and healthy) now."""
        state = next(s for s in engine.states(engine.client(), self.name)
                     if s.component == component)
        return state.running


def _engine_or_skip() -> Any:
    try:
        return engine.client()
    except ProviderUnavailable as exc:
        pytest.skip(f"no Docker engine answers: {exc}")


def _build_app_image(infra: RunningStack) -> None:
    # the image must hold the code under test: the builder rebuilds it when that changed and
    # skips it in seconds when not
    infra.dyttctl("images", "build", "app", timeout=1800)


def _gwbridge(client: Any) -> Any:
    """The node's docker_gwbridge network. The engine makes it when the node runs its first
    swarm task, so a freshly installed engine has none before the stack is deployed: it is made
    here as Docker documents for a custom one (a bridge of that name, no inter-container
    traffic, masquerading), and the engine then uses it for every task."""
    try:
        return client.networks.get("docker_gwbridge")
    except docker.errors.NotFound:
        network = client.networks.create("docker_gwbridge", driver="bridge", options={
            "com.docker.network.bridge.name": "docker_gwbridge",
            "com.docker.network.bridge.enable_icc": "false",
            "com.docker.network.bridge.enable_ip_masquerade": "true",
        })
        network.reload()
        return network


@pytest.fixture(scope="module")
def swarm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Swarm]:
    """The stack deployed on a swarm, for the module."""
    client = _engine_or_skip()
    address = host_address()
    home = tmp_path_factory.mktemp("swarm-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYTT_")}
    env.update(port_variables())
    name = f"dytt-t{secrets.token_hex(3)}"
    # the infrastructure listens where the tasks reach it: this machine's own address
    env |= {
        "DYTT_STACK__HOST": address,
        "DYTT_CLUSTER__NAMESPACE": name,
        # a subnet of its own: a stack left over by another run would overlap the default
        "DYTT_CLUSTER__SWARM_SUBNET": f"10.231.{4 * secrets.randbelow(60)}.0/22",
        "DYTT_GATEWAY__PARAMS__LOGIN_PER_ADDRESS": "100000/1s burst 100000",
        "DYTT_STACK__MAX_UPLOAD_MB": "8",
    }
    infra = RunningStack(home, env)
    created_swarm = False
    try:
        _build_app_image(infra)
        created_swarm = engine.ensure_swarm(client, address)
        if not Path("/proc/sys/net/ipv4/vs").exists():
            # no IPVS in this kernel, hence no routing mesh: the gateways share the node's
            # port, the services advertise their docker_gwbridge address (one node only)
            gwbridge = _gwbridge(client).attrs["IPAM"]["Config"][0]
            env |= {"DYTT_CLUSTER__SWARM_PUBLISH": "host-network",
                    "DYTT_CLUSTER__SWARM_ADVERTISE": gwbridge["Subnet"]}
        infra.dyttctl("up", *INFRA)
        started = time.monotonic()
        infra.dyttctl("cluster", "deploy", "--timeout", "420", timeout=600)
        deploy_seconds = time.monotonic() - started
        port = infra.context.definition.components["gateway"].port
        yield Swarm(infra, name, f"http://{address}:{port}", deploy_seconds)
    finally:
        infra.dyttctl("cluster", "down", *(["--leave"] if created_swarm else []), check=False)
        infra.dyttctl("down", check=False)


class ClientLoop:
    """Requests in a loop from a thread (reads, as a phone scrolling the feed does), counted."""

    def __init__(self, base_url: str, user_id: int, token: str) -> None:
        self.base_url = base_url
        self.user_id = user_id
        self.token = token
        self.requests = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=15) as client:
            while not self._stop.is_set():
                user = {"user_id": self.user_id, "token": self.token}
                path, params = (("/douyin/feed/", {"token": self.token}) if self.requests % 2
                                else ("/douyin/user/", user))
                self.requests += 1
                try:
                    response = client.get(path, params=params)
                    doc = response.json()
                    if response.status_code != 200 or doc["status_code"] != 0:
                        self.failures.append(f"{path}: {response.status_code} {doc}")
                except (httpx.HTTPError, ValueError) as exc:
                    self.failures.append(f"{path}: {exc!r}")
                time.sleep(0.02)

    def __enter__(self) -> ClientLoop:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(30)


def _wait(predicate: Any, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"{what} after {timeout}s"
        time.sleep(0.5)
    return time.monotonic() - started


def test_the_stack_runs_two_replicas_of_everything(swarm: Swarm) -> None:
    rows = json.loads(swarm.infra.dyttctl("cluster", "ps", "--json"))["services"]
    by_component = {r["component"]: r for r in rows}
    for name in (*SERVICES, "gateway"):
        assert by_component[name]["running"] == by_component[name]["wanted"] == 2, name
    assert by_component["migrate"]["completed"] >= 1
    print(f"\nswarm deploy: {swarm.deploy_seconds:.1f}s")


def test_the_services_register_their_task_addresses_in_etcd(swarm: Swarm) -> None:
    # `dyttctl watch` pointed at the cluster's etcd: the same definition, the same overrides
    lines = swarm.infra.dyttctl("watch", "--once", "--json").splitlines()
    records = [json.loads(line) for line in lines]
    cluster = swarm.infra.context.definition.cluster
    network = ipaddress.ip_network(cluster.swarm_advertise or cluster.swarm_subnet)
    for name in SERVICES:
        mine = [r for r in records if r["service"] == name]
        assert len(mine) == 2, (name, mine)
        # each task's own address on the network, never 0.0.0.0 nor this machine's loopback
        hosts = {r["address"].rpartition(":")[0] for r in mine}
        assert len(hosts) == 2 and all(ipaddress.ip_address(h) in network for h in hosts), mine
    assert len([r for r in records if r["service"] == "gateway"]) == 2


def _login(api: httpx.Client, username: str, password: str) -> httpx.Response:
    # 1502 is the contract's "took too long, try again": on a busy 2-core machine running
    # sixteen containers, bcrypt can miss the deadline once; a client tries again
    for _ in range(3):
        response = api.post("/douyin/user/login/",
                            params={"username": username, "password": password})
        if response.json()["status_code"] != 1502:
            break
        time.sleep(1)
    return response


def test_the_rest_contract_through_the_swarm(swarm: Swarm, tmp_path: Path) -> None:
    from services.publish.samples import write_sample_video

    video = write_sample_video(tmp_path / "clip.mp4", seconds=1.0, width=160,
                               height=120).read_bytes()
    with httpx.Client(base_url=swarm.gateway_url, timeout=30) as api:
        author, token = register(api, password="secret123")
        name = ok(api.get("/douyin/user/", params={"user_id": author, "token": token}))
        login = ok(_login(api, name["user"]["name"], "secret123"))
        assert login["user_id"] == author
        ok(publish(api, token, video, "swarm clip"))
        listed = ok(api.get("/douyin/publish/list/", params={"user_id": author, "token": token}))
        clip = next(v for v in listed["video_list"] if v["title"] == "swarm clip")
        assert httpx.get(clip["play_url"], timeout=10).content == video
        _, fan = register(api)
        ok(api.post("/douyin/favorite/action/",
                    params={"token": fan, "video_id": clip["id"], "action_type": 1}))
        comment = ok(api.post("/douyin/comment/action/", params={
            "token": fan, "video_id": clip["id"], "action_type": 1, "comment_text": "hi"}))
        assert comment["comment"]["content"] == "hi"
        feed = ok(api.get("/douyin/feed/", params={"token": fan}))["video_list"]
        shown = next(v for v in feed if v["id"] == clip["id"])
        assert shown["is_favorite"] and shown["favorite_count"] == 1
        assert shown["comment_count"] == 1


@pytest.mark.parametrize("component", ["feed", "gateway"])
def test_a_rolling_update_fails_no_request(swarm: Swarm, component: str) -> None:
    with httpx.Client(base_url=swarm.gateway_url, timeout=30) as api:
        user_id, token = register(api)
    with ClientLoop(swarm.gateway_url, user_id, token) as loop:
        time.sleep(2)
        started = time.monotonic()
        # start-first, one task at a time; the CLI returns once the update converged
        swarm.docker("service", "update", "--force", "--quiet", f"{swarm.name}_{component}",
                     timeout=600)
        seconds = time.monotonic() - started
        time.sleep(2)
    print(f"\nrolling update of {component}: {seconds:.1f}s, {loop.requests} requests, "
          f"{len(loop.failures)} failed")
    assert loop.requests > 50
    assert loop.failures == []
    assert swarm.running(component) == 2


def _running_tasks(swarm: Swarm, component: str) -> set[str]:
    service = engine.client().services.get(f"{swarm.name}_{component}")
    return {t["ID"] for t in service.tasks(filters={"desired-state": "running"})
            if t["Status"]["State"] == "running"}


def test_a_killed_task_is_replaced_by_the_engine(swarm: Swarm) -> None:
    with httpx.Client(base_url=swarm.gateway_url, timeout=30) as api:
        user_id, token = register(api)
    (victim, *_) = engine.client().containers.list(filters={
        "label": [f"com.docker.stack.namespace={swarm.name}",
                  f"com.docker.swarm.service.name={swarm.name}_feed"]})
    task = victim.labels["com.docker.swarm.task.id"]
    with ClientLoop(swarm.gateway_url, user_id, token) as loop:
        time.sleep(1)
        victim.kill()
        recovered = _wait(lambda: len(_running_tasks(swarm, "feed") - {task}) == 2, 180,
                          "feed was not back to two running tasks")
    swarm.figures["kill_recovery_s"] = recovered
    print(f"\nkilled a feed task: 2 running (healthy) again after {recovered:.1f}s, "
          f"{loop.requests} requests, {len(loop.failures)} failed: {loop.failures}")
    # A killed task cannot deregister and its address vanishes without a reset: a call already
    # on its connection waits for its deadline (1502, "try again") until its lease (5 s)
    # expires; never anything worse than that
    assert all("'status_code': 1502" in f for f in loop.failures), loop.failures
    assert len(loop.failures) <= 3
    # once the engine replaced it, every request succeeds again
    with ClientLoop(swarm.gateway_url, user_id, token) as after:
        time.sleep(5)
    assert after.requests > 20 and after.failures == []
