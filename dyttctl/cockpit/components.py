"""The components panel's rows: the orchestrator's status, process usage and certificate age."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import psutil

from dyttctl.cockpit.models import ComponentRow, ProcessUsage
from pki.inspect import CertInfo
from stack.orchestrator import ComponentStatus
from stack.supervisor.renewal import leaf_renew_at
from stack.wiring import SERVICE_KINDS


def component_pids(status: ComponentStatus) -> tuple[int, ...]:
    """The component's own pid, then the pids its registered instances publish, deduplicated."""
    pids: list[int] = [status.pid] if status.pid else []
    for instance in _instances(status) or []:
        pid = instance.get("pid")
        if isinstance(pid, int) and pid not in pids:
            pids.append(pid)
    return tuple(pids)


def _instances(status: ComponentStatus) -> list[dict] | None:
    found = status.extra.get("instances")
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else None


def _instance_count(status: ComponentStatus) -> int | None:
    if status.state == "external":
        return None
    if status.kind in SERVICE_KINDS:
        return len(_instances(status) or [])
    return 1 if status.state == "running" else 0


def cert_days_left(infos: Iterable[CertInfo]) -> dict[str, float]:
    """Days left of each leaf certificate, by identity name (its common name)."""
    days: dict[str, float] = {}
    for info in infos:
        if info.is_ca or not info.common_name:
            continue
        # two leaves of one name should not happen; if it does the nearer expiry matters
        days[info.common_name] = min(info.days_left, days.get(info.common_name, info.days_left))
    return days


def cert_renewals(infos: Iterable[CertInfo], lifetime: timedelta | None,
                  now: datetime) -> dict[str, float]:
    """Seconds until the supervisor renews each leaf, by identity name (as it schedules it)."""
    infos = list(infos)
    ca_not_after = next((i.not_after for i in infos if i.is_ca), None)
    renews: dict[str, float] = {}
    for info in infos:
        if info.is_ca or not info.common_name:
            continue
        when, _ = leaf_renew_at(info.not_before, info.not_after, lifetime, ca_not_after)
        seconds = (when - now).total_seconds()
        renews[info.common_name] = min(seconds, renews.get(info.common_name, seconds))
    return renews


def build_rows(statuses: Sequence[ComponentStatus], usage: Mapping[str, ProcessUsage],
               cert_days: Mapping[str, float],
               cert_renews: Mapping[str, float] | None = None) -> list[ComponentRow]:
    """One row per component, in the order of the stack definition."""
    rows = []
    for status in statuses:
        used = usage.get(status.name)
        restarts = status.extra.get("restarts")
        rows.append(ComponentRow(
            name=status.name,
            kind=status.kind,
            provider=status.provider,
            state=status.state,
            instances=_instance_count(status),
            pids=component_pids(status),
            health=status.health,
            uptime_s=status.uptime_s,
            restarts=restarts if isinstance(restarts, int) else None,
            cpu_percent=used.cpu_percent if used else None,
            memory_bytes=used.memory_bytes if used else None,
            cert_days_left=cert_days.get(status.name),
            endpoint=status.endpoints.get("main"),
            cert_renews_in_s=(cert_renews or {}).get(status.name),
        ))
    return rows


class ProcessSampler:
    """CPU and memory of process trees.

    psutil measures CPU between two calls on the same `Process` object, so the handles are kept
    from one sample to the next; the first sample of a new process reads 0 %. Finding a
    process's children scans all of /proc, so each tree's membership is only looked up again
    every `tree_every` seconds; reading a known process is cheap.
    """

    def __init__(self, tree_every: float = 15.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.tree_every = tree_every
        self._monotonic = monotonic
        self._handles: dict[int, psutil.Process] = {}
        # root pid -> (when looked up, the root and its descendants)
        self._trees: dict[int, tuple[float, list[psutil.Process]]] = {}

    def _handle(self, proc: psutil.Process) -> psutil.Process:
        kept = self._handles.get(proc.pid)
        # Process equality includes the creation time: a reused pid gets a fresh handle
        if kept is None or kept != proc:
            self._handles[proc.pid] = kept = proc
        return kept

    def _tree(self, pid: int) -> list[psutil.Process]:
        now = self._monotonic()
        cached = self._trees.get(pid)
        if cached is not None and now - cached[0] < self.tree_every:
            return cached[1]
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        self._trees[pid] = (now, tree)
        return tree

    def sample(self, groups: Mapping[str, Sequence[int]]) -> dict[str, ProcessUsage]:
        """Usage of each group of root pids (their children included, nothing counted twice)."""
        out: dict[str, ProcessUsage] = {}
        seen: set[int] = set()
        roots: set[int] = set()
        for name, pids in groups.items():
            cpu, memory, count = 0.0, 0, 0
            for pid in pids:
                roots.add(pid)
                for proc in self._tree(pid):
                    if proc.pid in seen:
                        continue
                    handle = self._handle(proc)
                    try:
                        cpu += handle.cpu_percent(None)
                        memory += handle.memory_info().rss
                    except psutil.Error:
                        continue  # gone since the tree was looked up
                    seen.add(proc.pid)
                    count += 1
            if count:
                out[name] = ProcessUsage(round(cpu, 1), memory, count)
        # forget processes and trees that are gone, so the caches do not grow with restarts
        for pid in set(self._handles) - seen:
            del self._handles[pid]
        for pid in set(self._trees) - roots:
            del self._trees[pid]
        return out
