"""Snapshots of the main screens at 80x24 and larger, on the deterministic fake cockpit.

Update after an intended change with `pytest tests/dyttctl/tui --snapshot-update`, and look
at the report before committing the new SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from dyttctl.tui.messages import OpenTrace
from dyttctl.tui.screens.trace import TraceScreen
from tests.dyttctl.tui.fakes import TRACE_C, FakeCockpit
from tests.dyttctl.tui.harness import RecordingApp, ready, until

Compare = Callable[..., bool]
LARGE = (160, 48)


def app() -> RecordingApp:
    return RecordingApp(FakeCockpit())


async def loaded(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: ready(pilot.app))


def then(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]],
                                                                      Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        for step in steps:
            await step(pilot)

    return run_before


async def traces_listed(pilot: Pilot[Any]) -> None:
    await pilot.press("t")
    await until(pilot, lambda: pilot.app.screen.query_one("#trace-table", DataTable).row_count > 0)


async def trace_open(pilot: Pilot[Any]) -> None:
    pilot.app.screen.post_message(OpenTrace(TRACE_C))
    await until(pilot, lambda: isinstance(pilot.app.screen, TraceScreen)
                and pilot.app.screen.query_one("#waterfall", DataTable).row_count > 0)


async def confirm_restart(pilot: Pilot[Any]) -> None:
    await pilot.press("down", "down", "down", "down", "r")


async def registry_tab(pilot: Pilot[Any]) -> None:
    await pilot.press("g")


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
