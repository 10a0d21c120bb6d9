"""Running the app under Pilot from sync tests (no async plugin), and recording notifications."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.pilot import Pilot

from dyttctl.tui import CockpitApp
from tests.dyttctl.tui.fakes import FakeCockpit, options

SIZE = (80, 24)


class RecordingApp(CockpitApp):
    """The app, keeping every notification it shows as (severity, title, message)."""

    def __init__(self, cockpit: FakeCockpit) -> None:
        super().__init__(cockpit, options())
        self.fake = cockpit
        self.notes: list[tuple[str, str, str]] = []

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        self.notes.append((severity, title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


Scenario = Callable[[RecordingApp, Pilot[Any]], Awaitable[None]]


def run(scenario: Scenario, cockpit: FakeCockpit | None = None,
        size: tuple[int, int] = SIZE) -> RecordingApp:
    """Run `scenario` against a fresh app on a fake cockpit; returns the app for inspection."""
    app = RecordingApp(cockpit or FakeCockpit())

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: ready(app))
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def ready(app: RecordingApp) -> bool:
    """The dashboard is laid out for the terminal and shows everything the fake cockpit has:
    every component, every backlog line, every registration (not merely the first of each)."""
    from dyttctl.tui.screens.dashboard import DashboardScreen
    from dyttctl.tui.widgets.components import ComponentsPanel
    from dyttctl.tui.widgets.logs import LogsPanel
    from dyttctl.tui.widgets.registry import RegistryPanel

    screen = app.screen
    if not isinstance(screen, DashboardScreen) or not screen.is_mounted:
        return False
    fake = app.fake
    instances = sorted(f"{r.service}/{r.instance}" for r in fake.registrations())
    try:
        return (screen.has_class("-wide") == (app.size.width >= app.options.side_by_side_at)
                and screen.query_one(ComponentsPanel).row_count == len(fake.rows)
                and (len(screen.query_one(LogsPanel).shown_lines())
                     == len(fake.log_backlog(app.options.backlog_lines)))
                and screen.registry.connected
                and all(sorted(panel.instance_keys()) == instances
                        for panel in screen.query(RegistryPanel)))
    except NoMatches:  # not composed yet
        return False


def busy(app: CockpitApp, *, node: DOMNode | None = None, group: str | None = None) -> bool:
    """Some worker of `node` (or of `group`) is still running."""
    return any(not worker.is_finished for worker in app.workers
               if node in (None, worker.node) and group in (None, worker.group))


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `condition` holds (workers post from other threads)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)
