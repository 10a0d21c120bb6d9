"""The dashboard under Pilot, on a fake cockpit: panels, live registry, logs, traces."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from dyttctl.cockpit import Registration, RegistrationEvent, RegistrySnapshot
from dyttctl.tui.messages import OpenTrace
from dyttctl.tui.screens.dashboard import DashboardScreen
from dyttctl.tui.screens.trace import TraceScreen
from dyttctl.tui.widgets.components import ComponentsPanel
from dyttctl.tui.widgets.logs import LogsPanel, LogTable
from dyttctl.tui.widgets.registry import RegistryPanel
from tests.dyttctl.tui.fakes import (
    TRACE_A,
    TRACE_B,
    TRACE_C,
    FakeCockpit,
    line,
    registrations,
)
from tests.dyttctl.tui.harness import RecordingApp, run, until


def cells(table: DataTable[Any], column: int) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


def test_panels_show_components_registrations_and_logs() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        components = app.screen.query_one(ComponentsPanel)
        assert cells(components, 0) == ["mysql", "etcd", "minio", "zipkin", "user", "gateway"]
        user = components.get_row("user")
        assert [str(c) for c in user] == ["user", "running", "2", "4201+1", "ok", "1h02m", "-",
                                          "1.5", "64.0M", "6.4d", "4d01h"]
        app.screen.query_one(TabbedContent).active = "registry"
        await pilot.pause()
        panel = app.screen.query_one("#registry-tab", RegistryPanel)
        assert panel.instance_keys() == ["user/3f2a9c0d1e7b", "user/8e1d2c3b4a59"]
        logs = app.screen.query_one(LogsPanel)
        assert len(logs.shown_lines()) == 6

    run(scenario)


def test_a_registration_appears_and_disappears_as_it_happens() -> None:
    fake = FakeCockpit()
    feed = Registration("feed", "0a1b2c3d4e5f", "127.0.0.1:15021", 4301, "0.1.0",
                        "spiffe://dytt/feed", 1_767_225_590.0)

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one("#registry-tab", RegistryPanel)
        fake.emit(RegistrationEvent("registered", feed, 42))
        await until(pilot, lambda: "feed/0a1b2c3d4e5f" in panel.instance_keys())
        status = str(panel.query_one("#registry-status", Static).render())
        assert "registered feed/0a1b2c3d4e5f" in status and "3 instances" in status
        fake.emit(RegistrationEvent("deregistered", feed, 43))
        await until(pilot, lambda: "feed/0a1b2c3d4e5f" not in panel.instance_keys())
        fake.lose_etcd()
        await until(pilot, lambda: "retrying" in str(
            panel.query_one("#registry-status", Static).render()))
        assert len(panel.instance_keys()) == 2  # the last known, flagged as stale
        fake.emit(RegistrySnapshot(tuple(registrations()[:1]), revision=50))
        await until(pilot, lambda: panel.instance_keys() == ["user/3f2a9c0d1e7b"])

    app = run(scenario, fake)
    assert ("error", "registry", "etcd unreachable (ConnectionFailedError)") in app.notes
    assert app.notes[-1] == ("information", "", "registry: back")


def test_log_filters_narrow_and_widen_the_lines() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        logs = app.screen.query_one(LogsPanel)

        def messages() -> list[str]:
            return [ln.message for ln in logs.shown_lines()]

        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press(*"failed")
        await until(pilot, lambda: messages() == ["login failed: bad password"])
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.focused, LogTable))

        app.screen.query_one("#log-text", Input).value = ""
        app.screen.query_one("#log-level", Select).value = "warning"
        await until(pilot, lambda: messages() == ["slow query", "login failed: bad password"])
        app.screen.query_one("#log-component", Select).value = "gateway"
        await until(pilot, lambda: messages() == [])
        app.screen.query_one("#log-level", Select).value = ""
        await until(pilot, lambda: messages() == ["GET /douyin/feed 200"])

    run(scenario)


def test_followed_lines_arrive_and_respect_the_filter() -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        logs = app.screen.query_one(LogsPanel)
        app.screen.query_one("#log-component", Select).value = "user"
        await until(pilot, lambda: len(logs.shown_lines()) == 3)
        fake.follower.push(line(1, "gateway", "info", "POST /douyin/user/login"),
                           line(2, "user", "info", "login ok", TRACE_A))
        await until(pilot, lambda: logs.shown_lines()[-1].message == "login ok")
        assert len(logs.shown_lines()) == 4
        assert logs.table.cursor_row == 3  # following the newest line
        app.screen.query_one("#log-component", Select).value = ""
        await until(pilot, lambda: len(logs.shown_lines()) == 8)

    run(scenario, fake)


def test_enter_on_a_log_line_with_a_trace_id_opens_its_waterfall() -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        table = app.screen.query_one(LogsPanel).table
        table.focus()
        table.move_cursor(row=2)  # the gateway line of TRACE_A
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TraceScreen))
        screen = app.screen
        waterfall = screen.query_one("#waterfall", DataTable)
        await until(pilot, lambda: waterfall.row_count == 4)
        title = str(screen.query_one("#trace-title", Static).render())
        assert TRACE_A in title and "4 spans" in title
        url = str(screen.query_one("#trace-url", Static).render())
        assert f"/zipkin/traces/{TRACE_A}" in url
        assert cells(waterfall, 1) == ["get /douyin/feed", "  user.GetUser", "    GetUser",
                                       "      SELECT users"]
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)

    run(scenario, fake)
    assert fake.trace_requests == [TRACE_A]


def test_enter_on_a_line_without_a_trace_shows_the_line() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        table = app.screen.query_one(LogsPanel).table
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await until(pilot, lambda: any(n[1] == "no trace id on this line" for n in app.notes))
        assert isinstance(app.screen, DashboardScreen)

    app = run(scenario)
    assert app.notes[-1][1] == "no trace id on this line"
    assert "ready to serve client requests" in app.notes[-1][2]


def test_traces_tab_switches_between_recent_slowest_and_errors() -> None:
    fake = FakeCockpit()

    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        table = app.screen.query_one("#trace-table", DataTable)
        await until(pilot, lambda: table.row_count == 3)
        assert [str(k.value) for k in table.rows] == [TRACE_C, TRACE_B, TRACE_A]
        kind = app.screen.query_one("#trace-kind", Select)
        kind.value = "slowest"
        await until(pilot, lambda: [str(k.value) for k in table.rows] == [TRACE_B, TRACE_C,
                                                                          TRACE_A])
        kind.value = "errors"
        await until(pilot, lambda: [str(k.value) for k in table.rows] == [TRACE_C])
        table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TraceScreen))
        await until(pilot, lambda: app.screen.query_one("#waterfall", DataTable).row_count == 4)

    run(scenario, fake)
    assert fake.trace_kinds == ["recent", "slowest", "errors"]
    assert fake.trace_requests == [TRACE_C]


def test_a_trace_zipkin_does_not_know_is_an_error_notification() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        app.screen.post_message(OpenTrace("ffffffffffffffff"))
        await until(pilot, lambda: isinstance(app.screen, TraceScreen))
        await until(pilot, lambda: any(n[0] == "error" for n in app.notes))

    app = run(scenario)
    assert ("error", "trace", "trace ffffffffffffffff not found in zipkin") in app.notes


def test_enter_on_a_component_shows_what_the_narrow_columns_leave_out() -> None:
    async def scenario(app: RecordingApp, pilot: Pilot[Any]) -> None:
        app.screen.query_one(ComponentsPanel).move_cursor(row=4)
        await pilot.press("enter")
        await until(pilot, lambda: any(n[1] == "user (service, native)" for n in app.notes))

    app = run(scenario)
    _severity, title, message = app.notes[-1]
    assert title == "user (service, native)"
    assert message == "health: ok\nendpoint: http://127.0.0.1:14201\npids: 4201, 4202"
