"""Snapshots of the main screens at 80x24 and larger, on the deterministic fake cockpit.

Update after an intended change with `pytest tests/dyttctl/tui --snapshot-update`, and look
at the report before committing the new SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Static, TabbedContent, TabPane

from dyttctl.tui.messages import OpenTrace
from dyttctl.tui.screens.modals import ConfirmScreen
from dyttctl.tui.screens.trace import TraceScreen
from dyttctl.tui.widgets.traces import TracesPanel
from tests.dyttctl.tui.fakes import TRACE_C, FakeCockpit
from tests.dyttctl.tui.harness import RecordingApp, busy, ready, until

Compare = Callable[..., bool]
LARGE = (160, 48)


def app() -> RecordingApp:
    return RecordingApp(FakeCockpit())


async def loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, RecordingApp)
    await until(pilot, lambda: ready(app))


def then(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]],
                                                                      Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        for step in steps:
            await step(pilot)

    return run_before


# Each step waits until the screen is in its final state (every worker it started has finished
# and what it loaded is all on screen), never for a time or for the first rows: snap_compare
# then only lets the repaint and any animation finish.

async def traces_listed(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, RecordingApp)
    await pilot.press("t")
    panel = app.screen.query_one(TracesPanel)
    await until(pilot, lambda: not busy(app, group="traces")
                and panel.query_one("#trace-table", DataTable).row_count == len(app.fake.traces)
                and "3 recent traces" in str(panel.query_one("#trace-status", Static).render()))


async def trace_open(pilot: Pilot[Any]) -> None:
    app = pilot.app
    app.screen.post_message(OpenTrace(TRACE_C))

    def loaded() -> bool:
        screen = app.screen
        return (isinstance(screen, TraceScreen) and screen.view is not None
                and not busy(app, node=screen)
                and screen.query_one("#waterfall", DataTable).row_count == len(screen.view.rows))

    await until(pilot, loaded)


async def confirm_restart(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await pilot.press("down", "down", "down", "down", "r")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen)
                and app.screen.question == "Restart user?"
                and app.focused is app.screen.query_one("#no", Button))


async def registry_tab(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await pilot.press("g")
    await until(pilot, lambda: app.screen.query_one(TabbedContent).active == "registry"
                and app.screen.query_one("#registry", TabPane).display)


def test_dashboard_80x24(snap_compare: Compare) -> None:
    assert snap_compare(app(), run_before=then())


def test_dashboard_large(snap_compare: Compare) -> None:
    assert snap_compare(app(), terminal_size=LARGE, run_before=then())


def test_dashboard_very_wide_shows_details(snap_compare: Compare) -> None:
    assert snap_compare(app(), terminal_size=(210, 30), run_before=then())


def test_registry_tab_80x24(snap_compare: Compare) -> None:
    assert snap_compare(app(), run_before=then(registry_tab))


def test_traces_tab_80x24(snap_compare: Compare) -> None:
    assert snap_compare(app(), run_before=then(traces_listed))


def test_trace_waterfall_80x24(snap_compare: Compare) -> None:
    assert snap_compare(app(), run_before=then(trace_open))


def test_trace_waterfall_large(snap_compare: Compare) -> None:
    assert snap_compare(app(), terminal_size=LARGE, run_before=then(trace_open))


def test_confirm_dialog_80x24(snap_compare: Compare) -> None:
    assert snap_compare(app(), run_before=then(confirm_restart))
