"""The supervisor's renewal schedule, on a real PKI store with an injected clock (no sleeps)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from pki import ops
from pki.certutil import utcnow
from pki.identity import identity_of
from pki.issue import leaf_sans, lifetime_of
from pki.revocation import crl_number
from pki.store import PkiStore
from stack.definition import load_definition
from stack.state import StackContext
from stack.supervisor.control import ControlServer, SupervisorClient, socket_path
from stack.supervisor.renewal import (
    CRL,
    RETRY_MIN,
    Renewer,
    configured_lifetime,
    leaf_renew_at,
    renewals,
    schedule,
)

LEAVES = {"user": [], "gateway": [], "dyttctl": []}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> PkiStore:
    store = PkiStore(tmp_path / "pki")
    ops.ensure_material(store, LEAVES)
    return store


def renewer(store: PkiStore, clock: Clock, events: list[tuple[str, str]],
            lifetime: timedelta | None = None, wake_every: float = 5.0) -> Renewer:
    return Renewer(store, lifetime, lambda unit, what: events.append((unit, what)),
                   clock=clock, wake_every=wake_every)


def serials(store: PkiStore) -> dict[str, int]:
    return {name: cert.serial_number for name, cert in store.list_leaves()}


def test_the_schedule_has_every_leaf_and_the_crl_at_two_thirds_of_their_validity(
        store: PkiStore) -> None:
    plan = schedule(store, None)
    assert sorted(r.name for r in plan) == sorted([*LEAVES, CRL])
    assert [r.renew_at for r in plan] == sorted(r.renew_at for r in plan)
    user = next(r for r in plan if r.name == "user")
    cert = store.load_leaf_cert("user")
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert user.renew_at == cert.not_valid_before_utc + validity * 2 / 3
    assert user.serial == cert.serial_number and user.reason == "scheduled"
    crl = store.load_crl()
    assert next(r for r in plan if r.name == CRL).renew_at == (
        crl.last_update_utc + (crl.next_update_utc - crl.last_update_utc) * 2 / 3)


def test_nothing_is_renewed_before_its_time_and_the_sleep_ends_at_the_first_due(
        store: PkiStore) -> None:
    clock, events = Clock(), []
    before = serials(store)
    assert renewer(store, clock, events).run_once() == 5.0  # wakes up to notice changes
    first = schedule(store, None)[0].renew_at
    wait = renewer(store, clock, events, wake_every=1e9).run_once()
    assert wait == pytest.approx((first - clock.now).total_seconds())
    assert serials(store) == before and events == []


def test_leaves_and_crl_due_are_renewed_with_the_same_lifetime_and_sans(
        store: PkiStore) -> None:
    clock, events = Clock(), []
    before = serials(store)
    old_crl = store.load_crl()
    sans = {name: leaf_sans(store.load_leaf_cert(name)) for name in LEAVES}
    clock.now += timedelta(days=5)  # past two-thirds of 7 days
    renewer(store, clock, events).run_once()
    after = serials(store)
    assert all(after[name] != before[name] for name in LEAVES)
    for name in LEAVES:
        cert = store.load_leaf_cert(name)
        assert lifetime_of(cert) == pytest.approx(timedelta(days=7), abs=timedelta(seconds=1))
        assert leaf_sans(cert) == sans[name] and identity_of(cert) == name
    assert crl_number(store.load_crl()) == crl_number(old_crl) + 1
    units = sorted(unit for unit, _ in events)
    assert units == sorted([*LEAVES, "pki"])
    assert all("certificate renewed" in what for unit, what in events if unit != "pki")
    assert any(what.startswith("CRL renewed") for unit, what in events if unit == "pki")


def test_a_configured_lifetime_applies_at_once_then_on_schedule(store: PkiStore) -> None:
    clock, events = Clock(), []
    minute = timedelta(minutes=1)
    job = renewer(store, clock, events, lifetime=minute)
    assert all(r.renew_at <= clock.now for r in schedule(store, minute))
    job.run_once()
    assert len(events) == len(LEAVES) + 1
    assert all("lifetime 7d is not 1m" in what for unit, what in events if unit != "pki")
    for name in LEAVES:
        assert lifetime_of(store.load_leaf_cert(name)) == pytest.approx(
            minute, abs=timedelta(seconds=1))
    crl = store.load_crl()
    assert crl.next_update_utc - crl.last_update_utc == minute
    # renewed: nothing is due again until two-thirds of the new minute have passed
    events.clear()
    job.run_once()
    assert events == []
    plan = schedule(store, minute)
    assert all(r.reason == "scheduled" for r in plan)
    assert all(timedelta(seconds=30) < r.renew_at - clock.now < minute for r in plan)


def test_a_leaf_cut_short_by_its_ca_is_not_renewed_over_and_over() -> None:
    start = T0
    ca_end = start + timedelta(hours=1)
    assert leaf_renew_at(start, ca_end, timedelta(days=7), ca_end) == (
        start + timedelta(minutes=40), "scheduled")
    # without the CA's limit, a leaf of the wrong lifetime is due at once
    when, why = leaf_renew_at(start, ca_end, timedelta(days=7))
    assert when == start and why.startswith("lifetime")


def test_a_failed_renewal_is_reported_and_retried_after_a_backoff(store: PkiStore) -> None:
    clock, events = Clock(), []
    job = renewer(store, clock, events)
    key = store.ca_key_path.read_bytes()
    store.ca_key_path.unlink()
    clock.now += timedelta(days=5)
    before = serials(store)
    job.run_once()  # no exception escapes
    failed = [what for _, what in events]
    assert len(failed) == len(LEAVES) + 1
    assert all("renewal failed" in what and f"retrying in {RETRY_MIN:g}s" in what
               for what in failed)
    events.clear()
    assert job.run_once() == pytest.approx(RETRY_MIN)  # not tried again before its time
    assert events == []
    clock.now += timedelta(seconds=RETRY_MIN)
    job.run_once()
    assert all(f"retrying in {2 * RETRY_MIN:g}s" in what for _, what in events)
    events.clear()
    store.ca_key_path.write_bytes(key)
    clock.now += timedelta(seconds=2 * RETRY_MIN)
    job.run_once()
    assert all("renewed" in what for _, what in events) and len(events) == len(LEAVES) + 1
    assert all(serials(store)[n] != before[n] for n in LEAVES)


def test_the_thread_renews_what_is_due_and_stops_on_close(store: PkiStore) -> None:
    renewed = threading.Event()
    events: list[tuple[str, str]] = []

    def report(unit: str, what: str) -> None:
        events.append((unit, what))
        if len(events) == len(LEAVES) + 1:
            renewed.set()

    job = Renewer(store, timedelta(minutes=2), report)
    job.start()
    try:
        assert renewed.wait(30), events
    finally:
        job.close()
    assert job._thread is not None and not job._thread.is_alive()


def test_renewals_as_the_supervisor_reports_them(tmp_path: Path) -> None:
    env = {"DYTT_STACK__CERT_LIFETIME_HOURS": "0.5"}
    ctx = StackContext(load_definition(Path("/nonexistent"), env), tmp_path)
    assert configured_lifetime(ctx) == timedelta(minutes=30)
    assert configured_lifetime(StackContext(load_definition(Path("/nonexistent"), {}),
                                            tmp_path)) is None
    ops.ensure_material(PkiStore(tmp_path / "pki"), {"user": []})
    rows = {r["name"]: r for r in renewals(ctx)}
    assert set(rows) == {"user", CRL}
    # 7-day material under a 30-minute setting: both due now, saying why
    assert rows["user"]["reason"] == "lifetime 7d is not 30m"
    assert rows["user"]["renews_in_s"] <= 0
    assert set(rows["user"]) == {"name", "serial", "expires", "renew_at", "renews_in_s",
                                 "reason"}


def test_the_control_api_answers_with_the_schedule(tmp_path: Path) -> None:
    ctx = StackContext(load_definition(Path("/nonexistent"), {}), tmp_path / "home")
    ctx.ensure_dirs()
    ops.ensure_material(PkiStore(ctx.home / "pki"), {"user": []})
    # the op reads only the stack's context: no processes needed behind it
    server = ControlServer(SimpleNamespace(ctx=ctx), socket_path(ctx))  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        rows = SupervisorClient(ctx, timeout=30).call("renewals")
    finally:
        server.shutdown()
        server.server_close()
    assert [r["name"] for r in rows] == ["user", CRL]
    assert all(r["reason"] == "scheduled" and r["renews_in_s"] > 4 * 86400 for r in rows)
