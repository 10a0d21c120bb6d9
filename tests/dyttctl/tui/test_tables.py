"""Tables drawn once per load show whole cells even when a paint comes before the table's idle.

DataTable measures the columns it sizes itself on its next idle; a paint in between used to stay
on screen with every cell cut to its header's width (the waterfall snapshot failed at random).
These tests make that paint happen every time instead of now and then.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from dyttctl.tui.messages import OpenTrace, TraceLoaded
from dyttctl.tui.screens.trace import TraceScreen
from dyttctl.tui.widgets.traces import TracesPanel
from tests.dyttctl.tui.fakes import TRACE_C, summaries
from tests.dyttctl.tui.harness import RecordingApp, busy, run, until


def shown(table: DataTable[Any]) -> list[str]:
    """The table's lines as painted (header first)."""
    return [table.render_line(y).text.rstrip() for y in range(table.row_count + 1)]


def test_the_waterfall_is_whole_when_painted_before_the_table_measured_it() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        app.screen.post_message(OpenTrace(TRACE_C))
        await until(pilot, lambda: isinstance(app.screen, TraceScreen)
                    and app.screen.view is not None and not busy(app, node=app.screen))
        screen = app.screen
        assert isinstance(screen, TraceScreen) and screen.view is not None
        screen.on_trace_loaded(TraceLoaded(screen.view))  # the draw of a second load...
        app.export_screenshot()  # ...painted at once, before the table's next idle
        await pilot.pause()
        lines = shown(screen.query_one("#waterfall", DataTable))
        assert lines[0].split() == ["service", "span", "start", "ms", "dur", "ms", "timeline"]
        assert [line.split()[:2] for line in lines[1:]] == [
            ["gateway", "get"], ["gateway", "user.GetUser"], ["user", "GetUser"],
            ["user", "SELECT"]]
        assert "/douyin/feed" in lines[1] and "SELECT users" in lines[4]
        assert all(line.endswith("·") or line.endswith("█") for line in lines[1:])

    run(scenario, size=(160, 48))


def test_the_trace_list_is_whole_when_painted_before_the_table_measured_it() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        panel = app.screen.query_one(TracesPanel)
        table = panel.query_one("#trace-table", DataTable)
        await until(pilot, lambda: not busy(app, group="traces") and table.row_count == 3)
        # a reload with wider cells than the list shown: the columns must grow
        panel.show([replace(t, root_name=t.root_name + "?page=2") for t in summaries()])
        app.export_screenshot()  # painted at once, before the table's next idle
        await pilot.pause()
        lines = shown(table)
        assert lines[0].split() == ["trace", "id", "root", "start", "ms", "spans", "err"]
        assert [line.split()[1:] for line in lines[1:]] == [
            ["gateway:", "get", "/douyin/feed?page=2", "23:59:30", "12.5", "4"],
            ["gateway:", "get", "/douyin/feed?page=2", "23:59:40", "812.0", "4"],
            ["gateway:", "get", "/douyin/feed?page=2", "23:59:50", "40.0", "4", "yes"]]

    run(scenario)
