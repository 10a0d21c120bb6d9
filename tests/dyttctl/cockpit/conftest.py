"""Fixtures of the cockpit tests: a stack context in a temp dir, a PKI store with a CA."""

from __future__ import annotations

from pathlib import Path

import pytest

from pki import ops
from pki.store import PkiStore
from stack.credentials import pki_store
from stack.definition import load_definition
from stack.state import StackContext


@pytest.fixture
def ctx(tmp_path: Path) -> StackContext:
    """The default stack definition bound to an empty state dir."""
    return StackContext(load_definition(None, {}), tmp_path / "home")


@pytest.fixture
def store(ctx: StackContext) -> PkiStore:
    """The context's PKI store with a fresh CA and a certificate for `user`."""
    store = pki_store(ctx)
    ops.init_ca(store)
    ops.issue(store, "user", ["user", "127.0.0.1"], days=7)
    return store
