"""Colours of the dashboard's cells, and rich Text builders for the parts with highlights."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from dyttctl.cockpit import Highlight

STATE_STYLE = {"running": "green", "stopped": "red", "external": "blue"}
LEVEL_STYLE = {"debug": "dim", "info": "green", "warning": "yellow", "error": "red",
               "critical": "bold red"}
LEVEL_SHORT = {"debug": "DBG", "info": "INFO", "warning": "WARN", "error": "ERR",
               "critical": "CRIT"}
HIGHLIGHT_STYLE = {"trace": "bold magenta", "match": "black on yellow"}
EVENT_STYLE = {"registered": "green", "updated": "yellow", "deregistered": "red"}
COMPONENT_STYLES = ("cyan", "magenta", "blue", "bright_green", "bright_magenta", "bright_cyan")


def component_style(name: str, names: Sequence[str]) -> str:
    """A colour per component, stable for a given stack definition."""
    ordered = sorted(names)
    return COMPONENT_STYLES[ordered.index(name) % len(COMPONENT_STYLES)] if name in ordered \
        else "white"


def highlighted(text: str, spans: Sequence[Highlight], base: str = "") -> Text:
    """`text` with the given spans in their highlight styles."""
    out = Text(text, style=base, no_wrap=True, overflow="ellipsis")
    for span in spans:
        out.stylize(HIGHLIGHT_STYLE[span.kind], span.start, span.end)
    return out


def health_text(health: str, healthy: bool | None, wide: bool) -> Text:
    """`ok` / `fail` (the probe's detail too when there is room)."""
    if healthy is None:
        return Text("-", style="dim")
    if healthy:
        return Text("ok", style="green")
    return Text(health[:48] if wide else "fail", style="red")


def cert_style(days_left: float | None) -> str:
    """Red once expired, yellow in the last two days (leaves live a week and renew at 2/3)."""
    if days_left is None:
        return "dim"
    if days_left <= 0:
        return "bold red"
    return "yellow" if days_left < 2 else ""
