"""`CockpitApp`: the Textual application of `dyttctl tui`.

It only builds the dashboard from a cockpit (anything that satisfies `CockpitApi`) and its
options; screens and widgets do the rest. Tests pass a fake cockpit and a fixed clock.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from dyttctl.cockpit import CockpitApi
from dyttctl.tui.options import TuiOptions
from dyttctl.tui.screens.dashboard import DashboardScreen


class CockpitApp(App[None]):
    """Components, registrations, logs and traces of a dytt stack; actions by key."""

    TITLE = "dytt cockpit"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, cockpit: CockpitApi, options: TuiOptions | None = None) -> None:
        super().__init__()
        self.cockpit = cockpit
        self.options = options or TuiOptions()

    def get_default_screen(self) -> Screen[None]:
        return DashboardScreen(self.cockpit, self.options)
