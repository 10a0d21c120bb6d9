"""Component rows from status, process usage and certificates; the psutil sampler."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from dyttctl.cockpit import Cockpit, ComponentRow, ProcessSampler, ProcessUsage, build_rows
from dyttctl.cockpit.components import cert_days_left, cert_renewals, component_pids
from pki import ops
from pki.ca import create_ca
from pki.certutil import utcnow
from pki.errors import InvalidMaterial
from pki.inspect import describe
from pki.issue import default_sans, issue_cert
from pki.store import PkiStore
from stack.orchestrator import ComponentStatus
from stack.state import StackContext


def status(name: str, kind: str = "infra", state: str = "running", pid: int | None = 100,
           health: str = "ok", **extra: object) -> ComponentStatus:
    return ComponentStatus(
        name=name, kind=kind, provider="native" if state != "external" else "external",
        state=state, pid=pid, endpoints={"main": f"http://127.0.0.1:{pid or 1}"},
        health=health, uptime_s=61.0 if pid else None, started_at=1.0 if pid else None,
        extra=dict(extra))


def test_rows_carry_state_instances_pids_usage_and_certificate_age() -> None:
    statuses = [
        status("etcd", pid=100),
        status("user", kind="service", pid=200,
               instances=[{"pid": 200, "address": "a"}, {"pid": 201, "address": "b"}]),
        status("gateway", kind="gateway", state="stopped", pid=None, health="-", instances=[]),
        status("zipkin", state="external", pid=None, health="failing: refused"),
    ]
    usage = {"etcd": ProcessUsage(2.5, 1024, 1), "user": ProcessUsage(7.0, 4096, 2)}
    rows = build_rows(statuses, usage, {"user": 5.5, "gateway": -0.1})
    by_name = {r.name: r for r in rows}

    assert [r.name for r in rows] == ["etcd", "user", "gateway", "zipkin"]
    assert by_name["etcd"] == ComponentRow(
        name="etcd", kind="infra", provider="native", state="running", instances=1,
        pids=(100,), health="ok", uptime_s=61.0, restarts=None, cpu_percent=2.5,
        memory_bytes=1024, cert_days_left=None, endpoint="http://127.0.0.1:100")
    assert by_name["user"].instances == 2
    assert by_name["user"].pids == (200, 201)  # the process and both instances, once each
    assert by_name["user"].cert_days_left == 5.5
    assert by_name["gateway"].instances == 0
    assert by_name["gateway"].cpu_percent is None
    assert by_name["gateway"].healthy is None
    assert by_name["zipkin"].instances is None  # we run no process for an external component
    assert by_name["zipkin"].healthy is False
    assert by_name["etcd"].healthy is True


def test_restarts_come_from_the_status_when_a_supervisor_reports_them() -> None:
    rows = build_rows([status("user", kind="service", restarts=3, instances=[])], {}, {})
    assert rows[0].restarts == 3
    assert build_rows([status("etcd", restarts="3")], {}, {})[0].restarts is None


def test_component_pids_ignore_malformed_instances() -> None:
    found = status("user", kind="service", pid=None,
                   instances=[{"pid": 7}, {"pid": "x"}, "junk", {"pid": 7}, {"pid": 9}])
    assert component_pids(found) == (7, 9)


def test_cert_days_left_by_identity_skipping_the_ca() -> None:
    ca_cert, ca_key = create_ca()
    now = utcnow()
    user, _ = issue_cert(ca_cert, ca_key, "user", default_sans("user"), days=7)
    gateway, _ = issue_cert(ca_cert, ca_key, "gateway", default_sans("gateway"), days=3)
    later = now + timedelta(days=1)
    infos = [describe(ca_cert, later), describe(user, later), describe(gateway, later)]
    days = cert_days_left(infos)
    assert set(days) == {"user", "gateway"}
    assert days["user"] == pytest.approx(6, abs=0.01)
    assert days["gateway"] == pytest.approx(2, abs=0.01)


def test_sampler_measures_a_process_tree_and_forgets_dead_processes() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        sampler = ProcessSampler()
        first = sampler.sample({"me": [os.getpid()], "gone": [2**22 + 12345]})
        assert "gone" not in first
        assert first["me"].processes >= 2  # this process and its child
        assert first["me"].memory_bytes > 10 * 1024 * 1024
        sum(range(2_000_000))  # some CPU between the samples
        second = sampler.sample({"me": [os.getpid()], "again": [os.getpid()]})
        assert second["me"].cpu_percent > 0
        assert "again" not in second  # nothing is counted twice
    finally:
        child.kill()
        child.wait()
    after = sampler.sample({"me": [os.getpid()]})
    assert after["me"].processes == first["me"].processes - 1
    assert child.pid not in sampler._handles


def test_sampler_looks_trees_up_again_only_when_due() -> None:
    clock = {"now": 0.0}
    sampler = ProcessSampler(tree_every=15, monotonic=lambda: clock["now"])
    before = sampler.sample({"me": [os.getpid()]})["me"].processes
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        clock["now"] = 5.0
        assert sampler.sample({"me": [os.getpid()]})["me"].processes == before
        clock["now"] = 15.0
        assert sampler.sample({"me": [os.getpid()]})["me"].processes == before + 1
    finally:
        child.kill()
        child.wait()


def test_cockpit_components_with_injected_sources(ctx: StackContext) -> None:
    statuses = [status("etcd", pid=os.getpid()), status("user", kind="service", pid=None)]
    ca_cert, ca_key = create_ca()
    user, _ = issue_cert(ca_cert, ca_key, "user", default_sans("user"), days=7)
    cockpit = Cockpit(ctx, status=lambda _ctx: statuses, certs=lambda: [describe(user)])
    rows = {r.name: r for r in cockpit.components()}
    assert rows["etcd"].memory_bytes and rows["etcd"].memory_bytes > 0
    assert rows["user"].cert_days_left == pytest.approx(7, abs=0.01)


def test_an_unreadable_pki_store_does_not_hide_the_components(ctx: StackContext) -> None:
    def broken() -> list:
        raise InvalidMaterial("ca.crt is not a certificate")

    cockpit = Cockpit(ctx, status=lambda _ctx: [status("etcd", pid=None)], certs=broken)
    assert [r.name for r in cockpit.components()] == ["etcd"]


def test_component_names_follow_the_definition_without_io(ctx: StackContext) -> None:
    names = Cockpit(ctx).component_names()
    assert set(names) >= {"mysql", "etcd", "minio", "zipkin", "user", "gateway"}
    assert names.index("etcd") < names.index("user")  # start order: dependencies first
    assert not ctx.home.exists()


def test_cert_renewals_follow_the_supervisors_schedule() -> None:
    ca_cert, ca_key = create_ca()
    start = utcnow().replace(microsecond=0) - timedelta(days=1)  # X.509 keeps whole seconds
    user, _ = issue_cert(ca_cert, ca_key, "user", default_sans("user"), days=3, not_before=start)
    infos = [describe(ca_cert), describe(user)]
    now = start + timedelta(hours=30)
    # two-thirds of 3 days after its start, and the CA is never renewed
    assert cert_renewals(infos, None, now) == {"user": pytest.approx(18 * 3600)}
    # a configured lifetime other than the leaf's: the supervisor renews it at once
    overdue = cert_renewals(infos, timedelta(minutes=1), now)["user"]
    assert overdue <= 0
    rows = build_rows([status("user", kind="service")], {}, {"user": 2.0}, {"user": 60.0})
    assert rows[0].cert_renews_in_s == 60.0
    assert build_rows([status("etcd")], {}, {})[0].cert_renews_in_s is None


def test_the_cockpit_rereads_certificates_as_soon_as_one_is_renewed(
        ctx: StackContext, store: PkiStore) -> None:
    now = utcnow()
    cockpit = Cockpit(ctx, status=lambda _ctx: [status("user", kind="service", pid=None)],
                      now=lambda: now)
    first = cockpit.components()[0].cert_renews_in_s
    cert = store.load_leaf_cert("user")
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    expected = cert.not_valid_before_utc + validity * 2 / 3 - now
    assert first == pytest.approx(expected.total_seconds(), abs=1)
    ops.rotate(store, "user", days=1)  # within the 30 s the certificates are cached for
    renewed = cockpit.components()[0].cert_renews_in_s
    # 16 h after issuance, less a third of the 5-minute backdating
    assert renewed is not None and renewed == pytest.approx(16 * 3600 - 100, abs=5)
