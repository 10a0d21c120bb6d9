"""Actions by key: a confirmed one calls the control, a cancelled one does not, errors notify."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from dyttctl.cockpit import CockpitError
from dyttctl.tui.screens.dashboard import DashboardScreen
from dyttctl.tui.screens.modals import ConfirmScreen, ScaleScreen
from dyttctl.tui.widgets.components import ComponentsPanel
from tests.dyttctl.tui.fakes import FakeCockpit, SupervisorlessControl
from tests.dyttctl.tui.harness import RecordingApp, busy, run, until


def on_user(app: RecordingApp) -> None:
    panel = app.screen.query_one(ComponentsPanel)
    panel.focus()
    panel.move_cursor(row=4)
    assert panel.selected is not None and panel.selected.name == "user"


async def answered(app: RecordingApp, pilot: Pilot[Any]) -> None:
    """The dialog is gone, the dashboard has handled its answer, and any action that answer
    started has finished: after this, a control that was not called will not be."""
    await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
    await pilot.pause()  # the answer's callback runs on the dashboard's next message
    await until(pilot, lambda: not busy(app, group="actions"))


@pytest.mark.parametrize(("key", "verb"), [
    ("r", "restart"), ("x", "stop"), ("s", "start"), ("c", "rotate_cert"),
])
def test_a_confirmed_action_calls_the_control(key: str, verb: str) -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        on_user(app)
        await pilot.press(key)
        assert isinstance(app.screen, ConfirmScreen)
        assert "user" in app.screen.question
        await pilot.press("y")
        await until(pilot, lambda: any(n[2] == f"{verb} user: done" for n in app.notes))
        assert isinstance(app.screen, DashboardScreen)

    run(scenario, fake)
    assert fake.control.calls == [(verb, "user")]


@pytest.mark.parametrize("answer", ["n", "escape", "enter"])  # Enter lands on "No"
def test_a_cancelled_action_does_not_call_the_control(answer: str) -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        on_user(app)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(answer)
        await answered(app, pilot)

    run(scenario, fake)
    assert fake.control.calls == []


def test_scale_asks_how_many_then_calls_the_control() -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        on_user(app)
        await pilot.press("n")
        assert isinstance(app.screen, ScaleScreen)
        await pilot.press("9", "9", "enter")  # more than allowed: the dialog stays
        problem = app.screen.query_one("#problem", Label)
        await until(pilot, lambda: "from 0 to 32" in str(problem.render()))
        assert isinstance(app.screen, ScaleScreen)
        await pilot.press("backspace", "backspace", "3", "enter")
        await until(pilot, lambda: any(n[2] == "scale user 3: done" for n in app.notes))

    run(scenario, fake)
    assert fake.control.calls == [("scale", "user", 3)]


def test_a_cancelled_scale_does_not_call_the_control() -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        on_user(app)
        await pilot.press("n", "3", "escape")
        await answered(app, pilot)

    run(scenario, fake)
    assert fake.control.calls == []


def test_an_action_that_fails_shows_an_error_notification() -> None:
    fake = FakeCockpit()
    fake.control = SupervisorlessControl()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        on_user(app)
        await pilot.press("r", "y")
        await until(pilot, lambda: any(n[0] == "error" for n in app.notes))

    app = run(scenario, fake)
    assert ("error", "action failed",
            "no supervisor at /tmp/run/supervisor.sock: run `dyttctl up`") in app.notes


def test_a_failing_control_shows_its_message() -> None:
    fake = FakeCockpit()
    fake.control.fail = CockpitError("mysql has no certificate in /tmp/pki")

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        app.screen.query_one(ComponentsPanel).move_cursor(row=0)
        await pilot.press("c", "y")
        await until(pilot, lambda: any(n[0] == "error" for n in app.notes))

    app = run(scenario, fake)
    assert fake.control.calls == [("rotate_cert", "mysql")]
    assert app.notes[-1] == ("error", "action failed", "mysql has no certificate in /tmp/pki")


def test_a_bug_in_the_control_is_reported_not_fatal() -> None:
    fake = FakeCockpit()
    fake.control.fail = KeyError("oops")

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        await pilot.press("s", "y")
        await until(pilot, lambda: any(n[0] == "error" for n in app.notes))
        assert app.is_running

    app = run(scenario, fake)
    assert app.notes[-1][2] == "internal error: KeyError: 'oops'"
