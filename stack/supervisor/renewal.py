"""Certificates renew themselves: the supervisor re-issues every leaf of the stack's PKI store,
and re-signs the CRL, once two-thirds of its validity has passed.

A leaf is renewed with the same identity and SANs and the same lifetime, or with
`stack.cert_lifetime_hours` when that is set (a leaf of another lifetime is then renewed at
once). Servers and clients load the new files on their next handshake, as after
`dyttctl certs rotate`. A failed renewal is reported and retried after a backoff; nothing here
may take the supervisor down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from pki import ops
from pki.certutil import utcnow
from pki.errors import CertNotFound, PkiError
from pki.issue import issued_lifetime
from pki.revocation import crl_number
from pki.store import PkiStore
from stack.credentials import pki_store
from stack.state import StackContext

log = logging.getLogger("dytt.supervisor")

# the longest sleep: new certificates, a changed schedule and a stop are noticed this fast
WAKE_EVERY = 5.0
# a failed renewal is tried again after this, doubling up to RETRY_MAX
RETRY_MIN, RETRY_MAX = 5.0, 300.0
# the schedule's name of the CRL; certificate names are lowercase, so it cannot clash
CRL = "CRL"
# the unit renewals of the CRL are reported under
PKI_UNIT = "pki"
# X.509 times are whole seconds: lifetimes this close to the configured one are the same
_SAME_LIFETIME = timedelta(seconds=2)

Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Renewal:
    """When one leaf (or the CRL) is renewed next, and why then."""

    name: str
    serial: int  # the leaf's serial number, the CRL's number
    expires: datetime  # notAfter, or the CRL's nextUpdate
    renew_at: datetime
    reason: str  # "scheduled", or why it is due before its time

    def to_json(self, now: datetime) -> dict[str, Any]:
        """A JSON-serialisable dict; `renews_in_s` is relative to `now`."""
        return {
            "name": self.name,
            "serial": format(self.serial, "X"),
            "expires": self.expires.isoformat(),
            "renew_at": self.renew_at.isoformat(),
            "renews_in_s": round((self.renew_at - now).total_seconds(), 1),
            "reason": self.reason,
        }


def configured_lifetime(ctx: StackContext) -> timedelta | None:
    """`stack.cert_lifetime_hours` as a timedelta, None when unset."""
    hours = ctx.definition.stack.cert_lifetime_hours
    return None if hours is None else timedelta(hours=hours)


def _differs(have: timedelta, want: timedelta) -> bool:
    return abs(have - want) > max(_SAME_LIFETIME, want * 0.01)


def leaf_renew_at(not_before: datetime, not_after: datetime, lifetime: timedelta | None,
                  ca_not_after: datetime | None = None) -> tuple[datetime, str]:
    """When a leaf valid from `not_before` to `not_after` is renewed, and why then."""
    scheduled = ops.renew_at(not_before, not_after)
    if lifetime is None:
        return scheduled, "scheduled"
    have = issued_lifetime(not_before, not_after)
    # a leaf cut short by its CA's expiry cannot get longer by being re-issued
    clipped = ca_not_after is not None and not_after >= ca_not_after - _SAME_LIFETIME
    if _differs(have, lifetime) and not (clipped and have < lifetime):
        return min(scheduled, not_before), f"lifetime {_span(have)} is not {_span(lifetime)}"
    return scheduled, "scheduled"


def crl_renew_at(crl: x509.CertificateRevocationList,
                 lifetime: timedelta | None) -> tuple[datetime, str]:
    """When the CRL is re-signed, and why then."""
    last, nxt = crl.last_update_utc, crl.next_update_utc
    if nxt is None:
        return last, "no nextUpdate"
    if lifetime is not None and _differs(nxt - last, lifetime):
        return last, f"validity {_span(nxt - last)} is not {_span(lifetime)}"
    return ops.renew_at(last, nxt), "scheduled"


def _span(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds >= 86400:
        return f"{seconds / 86400:.3g}d"
    if seconds >= 3600:
        return f"{seconds / 3600:.3g}h"
    return f"{seconds / 60:.3g}m" if seconds >= 60 else f"{seconds:.0f}s"


def _ca_not_after(store: PkiStore) -> datetime | None:
    try:
        return store.load_ca_cert().not_valid_after_utc
    except PkiError:
        return None


def _leaf_names(store: PkiStore) -> list[str]:
    if not store.certs_dir.is_dir():
        return []
    return sorted(p.stem for p in store.certs_dir.glob("*.crt"))


def schedule(store: PkiStore, lifetime: timedelta | None) -> list[Renewal]:
    """Every leaf of `store` and its CRL with its next renewal, soonest first."""
    plan: list[Renewal] = []
    ca_not_after = _ca_not_after(store)
    for name in _leaf_names(store):
        try:
            cert = store.load_leaf_cert(name)
        except PkiError as exc:
            # one unreadable leaf must not hold up the others; ensure_material replaces it
            log.warning("cannot schedule the renewal of %s: %s", name, exc)
            continue
        when, why = leaf_renew_at(cert.not_valid_before_utc, cert.not_valid_after_utc,
                                  lifetime, ca_not_after)
        plan.append(Renewal(name, cert.serial_number, cert.not_valid_after_utc, when, why))
    crl = store.load_crl()
    if crl is not None:
        when, why = crl_renew_at(crl, lifetime)
        expires = crl.next_update_utc or crl.last_update_utc
        plan.append(Renewal(CRL, crl_number(crl), expires, when, why))
    return sorted(plan, key=lambda r: r.renew_at)


def renewals(ctx: StackContext) -> list[dict[str, Any]]:
    """The stack's renewal schedule as JSON, for the supervisor's control API."""
    now = utcnow()
    return [r.to_json(now) for r in schedule(pki_store(ctx), configured_lifetime(ctx))]


class Renewer:
    """Renews what is due in `store`, in a thread of its own from `start` until `close`."""

    def __init__(self, store: PkiStore, lifetime: timedelta | None, report: Report, *,
                 clock: Callable[[], datetime] = utcnow, wake_every: float = WAKE_EVERY) -> None:
        self.store = store
        self.lifetime = lifetime
        self._report = report
        self._clock = clock
        self.wake_every = wake_every
        # name -> (failures in a row, when to try again)
        self._failures: dict[str, tuple[int, datetime]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def of(cls, ctx: StackContext, report: Report) -> Renewer:
        """The renewer of a stack's PKI store, with its configured lifetime."""
        return cls(pki_store(ctx), configured_lifetime(ctx), report)

    def start(self) -> None:
        """Renew in a daemon thread until `close`."""
        self._thread = threading.Thread(target=self._run, name="renewal", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread (a renewal under way finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.run_once()
            except Exception:  # a bug here must cost renewals, never the supervisor
                log.exception("certificate renewal round failed")
                wait = self.wake_every
            self._stop.wait(wait)

    def run_once(self) -> float:
        """Renew everything due now; the seconds until the next look (at most wake_every)."""
        now = self._clock()
        plan = schedule(self.store, self.lifetime)
        upcoming: list[datetime] = []
        for item in plan:
            retry = self._failures.get(item.name)
            if item.renew_at > now:
                upcoming.append(item.renew_at)
            elif retry is not None and retry[1] > now:
                upcoming.append(retry[1])
            else:
                self._attempt(item, now)
        if not upcoming:
            return self.wake_every
        return max(0.0, min(self.wake_every, (min(upcoming) - now).total_seconds()))

    def _attempt(self, item: Renewal, now: datetime) -> None:
        try:
            done = self._renew(item, now)
        except Exception as exc:
            count = self._failures.get(item.name, (0, now))[0] + 1
            delay = min(RETRY_MAX, RETRY_MIN * 2 ** (count - 1))
            self._failures[item.name] = (count, now + timedelta(seconds=delay))
            log.warning("renewing %s failed", item.name, exc_info=True)
            self._report(self._unit(item.name),
                         f"certificate renewal failed: {exc}; retrying in {delay:g}s")
            return
        self._failures.pop(item.name, None)
        if done:
            self._report(self._unit(item.name), done)

    @staticmethod
    def _unit(name: str) -> str:
        return PKI_UNIT if name == CRL else name

    def _renew(self, item: Renewal, now: datetime) -> str | None:
        """Renew `item` if it is still due once the store is ours; what was done, if anything."""
        with self.store.lock():
            # an operator may have rotated it meanwhile: decide again on what is on disk now
            current = {r.name: r for r in schedule(self.store, self.lifetime)}.get(item.name)
            if current is None or current.renew_at > now:
                return None
            if item.name == CRL:
                return self._renew_crl(current)
            return self._renew_leaf(current)

    def _days(self, fallback: timedelta) -> float:
        return (self.lifetime or fallback) / timedelta(days=1)

    def _renew_leaf(self, old: Renewal) -> str:
        try:
            cert = self.store.load_leaf_cert(old.name)
        except CertNotFound:
            return f"certificate of {old.name} vanished before its renewal"
        days = self._days(issued_lifetime(cert.not_valid_before_utc, cert.not_valid_after_utc))
        info = ops.rotate(self.store, old.name, days)
        nxt, _ = leaf_renew_at(info.not_before, info.not_after, self.lifetime)
        why = "" if old.reason == "scheduled" else f" ({old.reason})"
        return (f"certificate renewed{why}: serial {format(old.serial, 'X')[:12]} -> "
                f"{info.serial[:12]}, valid until {info.not_after:%Y-%m-%d %H:%M:%S} UTC, "
                f"next renewal {nxt:%Y-%m-%d %H:%M:%S} UTC")

    def _renew_crl(self, old: Renewal) -> str:
        crl = self.store.load_crl()
        window = timedelta(days=7)
        if crl is not None and crl.next_update_utc is not None:
            window = crl.next_update_utc - crl.last_update_utc
        fresh = ops.refresh_crl(self.store, self._days(window))
        nxt, _ = crl_renew_at(fresh, self.lifetime)
        return (f"CRL renewed: number {old.serial} -> {crl_number(fresh)}, next update "
                f"{fresh.next_update_utc:%Y-%m-%d %H:%M:%S} UTC, "
                f"next renewal {nxt:%Y-%m-%d %H:%M:%S} UTC")
