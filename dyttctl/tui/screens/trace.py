"""One trace as a waterfall, with the Zipkin UI's address; loaded in a worker."""

from __future__ import annotations

from itertools import groupby
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from dyttctl.cockpit import CockpitApi, TraceView, WaterfallRow, waterfall
from dyttctl.render import BAR
from dyttctl.tui import feeds
from dyttctl.tui.messages import FeedFailed, TraceLoaded
from dyttctl.tui.widgets.table import Column, fit_columns

NAME_MAX = 40
# the gaps DataTable puts around cells, a scrollbar, and the two ms columns
_CHROME = 2 * 5 + 1 + 8 + 8
_COLUMNS: tuple[Column, ...] = (
    ("service", "service", "left"), ("span", "span", "left"), ("start", "start ms", "right"),
    ("dur", "dur ms", "right"), ("timeline", "timeline", "left"))


class TraceScreen(Screen[None]):
    """Escape goes back to the dashboard."""

    DEFAULT_CSS = """
    TraceScreen > #trace-title { height: 1; padding: 0 1; text-style: bold; }
    TraceScreen > #waterfall { height: 1fr; }
    TraceScreen > #trace-url { height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("c", "copy_url", "Copy URL"),
    ]

    def __init__(self, cockpit: CockpitApi, trace_id: str) -> None:
        super().__init__()
        self.cockpit = cockpit
        self.trace_id = trace_id
        self.view: TraceView | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"trace {self.trace_id}  loading…", id="trace-title")
        yield DataTable(cursor_type="row", id="waterfall")
        yield Static("", id="trace-url")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        stop = get_current_worker().cancelled_event
        feeds.trace(self.cockpit, self.post_message, self.trace_id, stop)

    def on_trace_loaded(self, message: TraceLoaded) -> None:
        self.view = message.view
        view = message.view
        self.query_one("#trace-title", Static).update(
            f"trace {view.trace_id}  {len(view.rows)} spans  {view.duration_ms:.1f} ms")
        self.query_one("#trace-url", Static).update(
            Text.assemble(("zipkin: ", "dim"), (view.ui_url, "underline")))
        self._draw()

    def on_feed_failed(self, message: FeedFailed) -> None:
        self.query_one("#trace-title", Static).update(
            Text(f"trace {self.trace_id}: {message.error}", style="red"))
        self.notify(message.error, title="trace", severity="error", markup=False)

    def on_resize(self, _event: events.Resize) -> None:
        if self.view is not None:
            self._draw()

    def _draw(self) -> None:
        assert self.view is not None
        labels = [("  " * depth + span.name)[:NAME_MAX] for depth, span in self.view.rows]
        services = [span.service for _, span in self.view.rows]
        used = max(map(len, services), default=7) + max(map(len, labels), default=4) + _CHROME
        rows = waterfall(self.view, max(10, self.size.width - used))
        cells = [_cells(row, label) for row, label in zip(rows, labels, strict=True)]
        table = self.query_one("#waterfall", DataTable)
        # drawn once per load (and resize): columns sized here, not on the table's next idle
        fit_columns(table, _COLUMNS, cells)
        for row_cells in cells:
            table.add_row(*row_cells)

    def action_copy_url(self) -> None:
        if self.view is not None:
            self.app.copy_to_clipboard(self.view.ui_url)
            self.notify("copied the Zipkin URL", timeout=3)


def _cells(row: WaterfallRow, label: str) -> tuple[Text, ...]:
    style = "red" if row.error else ""
    return (
        Text(row.service, style=style),
        Text(label + (" (orphan)" if row.orphan else ""), style=style or
             ("yellow" if row.orphan else "")),
        Text("-" if row.offset_ms is None else f"{row.offset_ms:.1f}", justify="right"),
        Text(f"{row.duration_ms:.1f}", justify="right"),
        _bar_text(row),
    )


def _bar_text(row: WaterfallRow) -> Text:
    out = Text(no_wrap=True)
    for char, run in groupby(row.bar):
        out.append("".join(run), style=("red" if row.error else "cyan") if char == BAR else "dim")
    return out
