"""Certificates renew themselves: a stack of its own on 75-second leaves, under the mixed load,
through at least three renewals of every leaf, fails no request and loses no write."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from pki.errors import PkiError
from pki.inspect import probe_tls
from pki.store import PkiStore
from stack.supervisor.control import SupervisorClient
from tests.conftest import TEST_LOGIN_PER_ADDRESS, RunningStack, port_variables
from tests.load import MixedLoad, audit, prepare

pytestmark = pytest.mark.stack

LIFETIME_S = 75.0
RENEWALS = 3
# every leaf renews every ~48 s; four rounds and the stack's start fit well within this
DEADLINE_S = 420.0


@pytest.fixture(scope="module")
def short_lived_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A second stack whose supervisor renews 75-second leaf certificates (and CRL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYTT_")}
    env.update(port_variables())
    env["DYTT_STACK__CERT_LIFETIME_HOURS"] = str(LIFETIME_S / 3600)
    # the load registers a user per round from one address
    env["DYTT_GATEWAY__PARAMS__LOGIN_PER_ADDRESS"] = TEST_LOGIN_PER_ADDRESS
    stack = RunningStack(tmp_path_factory.mktemp("renewal-home"), env)
    try:
        stack.dyttctl("up")
        yield stack
    finally:
        stack.dyttctl("down", check=False)


def serials(store: PkiStore) -> dict[str, int]:
    """The serial of every leaf on disk now, by name."""
    return {name: cert.serial_number for name, cert in store.list_leaves()}


def served_serial(stack: RunningStack, component: str) -> int | None:
    """The serial of the certificate `component` presents on a new handshake."""
    ctx = stack.context
    store = PkiStore(stack.home / "pki")
    crt, key = store.leaf_paths("dyttctl")
    comp = ctx.definition.components[component]
    try:
        result = probe_tls(ctx.host(comp), comp.port, store.ca_cert_path, crt, key)
    except PkiError:
        return None  # read between the renewal's writes of the key and of the certificate
    return int(result.peer_chain[0].serial, 16) if result.ok and result.peer_chain else None


def test_leaves_renew_under_load_without_a_failed_request(short_lived_stack: RunningStack,
                                                          sample_video: bytes) -> None:
    stack = short_lived_stack
    store = PkiStore(stack.home / "pki")
    url = stack.gateway_url
    video_id, host_id, token = prepare(url, sample_video)
    seen: dict[str, list[int]] = {name: [serial] for name, serial in serials(store).items()}
    served: dict[str, set[int]] = {"user": set(), "feed": set()}
    started = time.monotonic()
    with MixedLoad(url, video_id=video_id, host_id=host_id, host_token=token) as mixed:
        mixed.wait_for(30)
        while min(len(s) for s in seen.values()) <= RENEWALS:
            assert time.monotonic() - started < DEADLINE_S, f"renewals stalled: {seen}"
            for name, serial in serials(store).items():
                if serial != seen[name][-1]:
                    seen[name].append(serial)
            for component in served:
                found = served_serial(stack, component)
                if found is not None:
                    served[component].add(found)
            # the load must keep flowing while certificates change under it
            mixed.wait_for(5)
        mixed.wait_for(30)
        result = mixed.stop()
    print(f"\nrenewals: { {name: len(s) - 1 for name, s in seen.items()} } in "
          f"{time.monotonic() - started:.0f}s; {result.summary()}")
    assert [(r.kind, r.status_code, r.status_msg) for r in result.failed] == []
    assert audit(url, result, token, video_id) == []
    assert len(seen["gateway"]) > RENEWALS and len(seen["user"]) > RENEWALS
    # servers present the renewed certificates from the next handshake on
    for component, presented in served.items():
        assert len(presented & set(seen[component])) > RENEWALS, (component, presented)
    supervisor = SupervisorClient(stack.context, timeout=30)
    events = [e["event"] for e in supervisor.call("status")["events"]]
    assert sum("certificate renewed" in e for e in events) >= RENEWALS * len(seen)
    assert any(e.startswith("CRL renewed") for e in events)
    schedule = {r["name"]: r for r in supervisor.call("renewals")}
    assert set(schedule) == {*seen, "CRL"}
    assert all(r["reason"] == "scheduled" and r["renews_in_s"] <= LIFETIME_S
               for r in schedule.values())
