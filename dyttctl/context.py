"""What every command gets: the operator's choices, and the stack they resolve to."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import click
from rich.console import Console

from stack.definition import load_definition
from stack.state import StackContext, default_home


@dataclass
class Operator:
    """The root group's options; commands receive it through `pass_operator`."""

    home: Path | None = None
    config: Path | None = None
    provider: str | None = None
    # diagnostics and progress go to stderr; data (tables, JSON) to stdout
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))
    out: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))

    @cached_property
    def environ(self) -> dict[str, str]:
        """The environment the stack's definition is read with (and the supervisor runs in)."""
        environ = dict(os.environ)
        if self.provider:
            environ["DYTT_STACK__PROVIDER"] = self.provider
        return environ

    @cached_property
    def stack(self) -> StackContext:
        """The stack definition bound to the state dir, loaded on first use."""
        home = (self.home or default_home()).resolve()
        config = self.config or home / "dytt.toml"
        if self.config and not self.config.exists():
            raise click.UsageError(f"config file {self.config} does not exist")
        return StackContext(load_definition(config, self.environ), home)


pass_operator = click.make_pass_decorator(Operator)
