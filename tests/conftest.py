"""Shared fixtures: the real stack, brought up once per test session on free ports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stack.definition import load_definition
from stack.ports import free_ports
from stack.state import StackContext

TEST_UPLOAD_LIMIT_MB = 8
TEST_LOGIN_PER_ADDRESS = "100000/1s burst 100000"


def port_variables() -> dict[str, str]:
    """`DYTT_<COMPONENT>__PORTS__<NAME>` = a free port, for every port of every component."""
    definition = load_definition(Path("/nonexistent"), {})
    names = [f"DYTT_{comp.upper()}__PORTS__{port.upper()}"
             for comp, spec in definition.components.items() for port in spec.ports]
    return dict(zip(names, map(str, free_ports(len(names))), strict=True))


@dataclass
class RunningStack:
    """A stack brought up by the real `dyttctl` in a throwaway state dir."""

    home: Path
    env: dict[str, str]

    def dyttctl(self, *args: str, timeout: float = 300, check: bool = True) -> str:
        """Run `dyttctl --home HOME ARGS` and return its stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "dyttctl", "--home", str(self.home), *args],
            env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(f"dyttctl {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result.stdout

    @property
    def context(self) -> StackContext:
        """The stack as the tests' own code sees it (same definition, same overrides)."""
        return StackContext(load_definition(self.home / "dytt.toml", self.env), self.home)

    @property
    def gateway_url(self) -> str:
        """The REST gateway's base URL."""
        return self.context.endpoint(self.context.definition.components["gateway"])

    def status(self) -> dict[str, dict]:
        """`dyttctl status --json`, by component name."""
        doc = json.loads(self.dyttctl("status", "--json"))
        return {c["name"]: c for c in doc["components"]}


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The real infrastructure (MariaDB, etcd, MinIO, Zipkin) on free ports, for the session."""
    home = tmp_path_factory.mktemp("dytt-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYTT_")}
    env.update(port_variables())
    # small enough that the oversize-upload tests stay quick
    env["DYTT_STACK__MAX_UPLOAD_MB"] = str(TEST_UPLOAD_LIMIT_MB)
    # the suite registers hundreds of users from 127.0.0.1: only the per-address limit is
    # loosened, the per-username and per-user ones stay as shipped (tests use fresh names)
    env["DYTT_GATEWAY__PARAMS__LOGIN_PER_ADDRESS"] = TEST_LOGIN_PER_ADDRESS
    stack = RunningStack(home, env)
    try:
        # inside the try: a stack that came up halfway is taken down too
        stack.dyttctl("up")
        yield stack
    finally:
        stack.dyttctl("down", check=False)
