"""Renderings as files: the one YAML serializer, and writing a rendering to a directory."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from pki.store import atomic_write
from stack.cluster import kubernetes, swarm
from stack.cluster.plan import ClusterPlan

# what renders and writes them: a secret-bearing file is written 0600
PRIVATE = 0o600
PUBLIC = 0o644


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given; multi-line strings (PEM) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(documents: Iterable[dict[str, Any]]) -> str:
    """The documents as one YAML stream (`---` between them)."""
    return yaml.dump_all(list(documents), Dumper=_Dumper, sort_keys=False,
                         default_flow_style=False, width=100, explicit_start=True)


def _fresh(out: Path) -> None:
    # a rendering replaces the previous one whole: a stale file (a workload since removed)
    # would otherwise be applied again
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, mode=0o700)


def write_swarm(plan: ClusterPlan, out: Path) -> list[Path]:
    """`docker-stack.yml` and its secret files under `out`; the files written."""
    bundle = swarm.render(plan)
    _fresh(out)
    written = []
    for relative, data in sorted(bundle.files.items()):
        atomic_write(out / relative, data, PRIVATE)
        written.append(out / relative)
    compose = out / swarm.COMPOSE_FILE
    atomic_write(compose, to_yaml([bundle.compose]).encode(), PUBLIC)
    return [compose, *written]


def write_kubernetes(plan: ClusterPlan, out: Path) -> list[Path]:
    """One YAML file per group of manifests under `out`; the files written."""
    _fresh(out)
    written = []
    for name, documents in kubernetes.render(plan).items():
        mode = PRIVATE if any(d["kind"] == "Secret" for d in documents) else PUBLIC
        atomic_write(out / name, to_yaml(documents).encode(), mode)
        written.append(out / name)
    return written
