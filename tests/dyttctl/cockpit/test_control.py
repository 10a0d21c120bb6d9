"""Actions: process actions go to the supervisor; rotation works on a real store."""

from __future__ import annotations

import pytest

from dyttctl.cockpit import CockpitError, DefaultControl
from pki.issue import leaf_sans
from pki.store import PkiStore
from stack.state import StackContext


class RecordingSupervisor:
    """Stands in for the supervisor's client: records the operations it is asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def call(self, op: str, progress: object = None, **args: object) -> None:
        self.calls.append((op, args))


def test_process_actions_go_to_the_supervisor(ctx: StackContext) -> None:
    supervisor = RecordingSupervisor()
    control = DefaultControl(ctx, supervisor=supervisor)  # type: ignore[arg-type]
    assert control.restart("user") == "user restarted (rolling)"
    assert control.scale("feed", 3) == "feed scaled to 3"
    control.stop("user")
    control.start("user")
    assert supervisor.calls == [("restart", {"name": "user"}),
                                ("scale", {"name": "feed", "count": 3}),
                                ("stop", {"name": "user"}), ("start", {"name": "user"})]


def test_without_a_supervisor_an_action_fails_in_one_line(ctx: StackContext) -> None:
    with pytest.raises(CockpitError, match=r"no supervisor at .*run `dyttctl up`"):
        DefaultControl(ctx).restart("user")


def test_rotate_cert_issues_a_new_key_and_serial_with_the_same_names(
        ctx: StackContext, store: PkiStore) -> None:
    before, before_key = store.load_leaf("user")
    text = DefaultControl(ctx).rotate_cert("user")
    after, after_key = store.load_leaf("user")
    assert after.serial_number != before.serial_number
    assert after_key.private_numbers() != before_key.private_numbers()
    assert leaf_sans(after) == leaf_sans(before)
    assert text.startswith("rotated user's certificate: serial ")
    assert format(after.serial_number, "X")[:12] in text


def test_rotating_a_component_without_a_certificate_says_so(ctx: StackContext,
                                                             store: PkiStore) -> None:
    with pytest.raises(CockpitError, match="mysql has no certificate"):
        DefaultControl(ctx).rotate_cert("mysql")


def test_pki_errors_become_cockpit_errors(ctx: StackContext, store: PkiStore) -> None:
    store.ca_cert_path.write_text("not a certificate")
    with pytest.raises(CockpitError) as caught:
        DefaultControl(ctx).rotate_cert("user")
    assert caught.value.__cause__ is not None
    with pytest.raises(CockpitError):
        DefaultControl(ctx).rotate_cert("Not A Name!")
