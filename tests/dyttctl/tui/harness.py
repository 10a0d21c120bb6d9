"""Running the app under Pilot from sync tests (no async plugin), and recording notifications."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

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


def ready(app: CockpitApp) -> bool:
    """The three feeds have delivered their first data."""
    from dyttctl.tui.widgets.components import ComponentsPanel
    from dyttctl.tui.widgets.logs import LogsPanel

    screen = app.screen
    try:
        return (screen.query_one(ComponentsPanel).row_count > 0
                and bool(screen.query_one(LogsPanel).shown_lines())
                and screen.registry.connected)  # type: ignore[attr-defined]
    except Exception:
        return False


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `condition` holds (workers post from other threads)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)
