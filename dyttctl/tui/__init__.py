"""The Textual front of `dyttctl tui`: app, screens, widgets, messages; the logic lives in
`dyttctl.cockpit`."""

from __future__ import annotations

from dyttctl.tui.app import CockpitApp
from dyttctl.tui.options import TuiOptions

__all__ = ["CockpitApp", "TuiOptions"]
