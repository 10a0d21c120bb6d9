"""The traces panel: recent, slowest or failed traces from Zipkin; Enter opens the waterfall."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Select, Static
from textual.worker import get_current_worker

from dyttctl.cockpit import TRACE_KINDS, CockpitApi, TraceKind, fmt
from dyttctl.tui import feeds
from dyttctl.tui.messages import FeedFailed, OpenTrace, TracesLoaded
from dyttctl.tui.widgets.table import Column, fit_columns
from stack.zipkin import TraceSummary

KIND_LABELS = {"recent": "recent", "slowest": "slowest", "errors": "errors"}
_KINDS: dict[str, TraceKind] = {k: k for k in TRACE_KINDS}
_COLUMNS: tuple[Column, ...] = (
    ("id", "trace id", "left"), ("root", "root", "left"), ("start", "start", "left"),
    ("ms", "ms", "right"), ("spans", "spans", "right"), ("err", "err", "left"))


class TracesPanel(Vertical):
    """Loads its list in a worker when shown, when the kind changes, and every few seconds."""

    DEFAULT_CSS = """
    TracesPanel { height: 1fr; }
    TracesPanel > #trace-bar { height: 1; }
    TracesPanel #trace-kind { width: 14; }
    TracesPanel #trace-status { width: 1fr; padding: 0 1; color: $text-muted; }
    TracesPanel > DataTable { height: 1fr; }
    """

    def __init__(self, cockpit: CockpitApi, refresh_every: float, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cockpit = cockpit
        self.refresh_every = refresh_every
        self.kind: TraceKind = "recent"
        # only the visible panel polls Zipkin
        self.active = False
        self._ids: list[str] = []
        self._wide = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="trace-bar"):
            yield Select([(KIND_LABELS[k], k) for k in TRACE_KINDS], value="recent",
                         allow_blank=False, compact=True, id="trace-kind")
            yield Static("", id="trace-status")
        yield DataTable(cursor_type="row", id="trace-table")

    def on_mount(self) -> None:
        fit_columns(self.query_one("#trace-table", DataTable), _COLUMNS, [])
        self.set_interval(self.refresh_every, self._tick)

    def set_wide(self, wide: bool) -> None:
        """Full trace ids when there is room."""
        self._wide = wide

    def activate(self, active: bool) -> None:
        """The tab was shown (load now) or hidden (stop polling)."""
        self.active = active
        if active:
            self.reload()

    def _tick(self) -> None:
        if self.active:
            self.reload()

    def reload(self) -> None:
        """Fetch the current kind's list in a worker."""
        self.query_one("#trace-status", Static).update(f"loading {self.kind} traces…")
        self._load(self.kind)

    @work(thread=True, exclusive=True, group="traces", exit_on_error=False)
    def _load(self, kind: TraceKind) -> None:
        feeds.traces(self.cockpit, self.post_message, kind, get_current_worker().cancelled_event)

    @on(Select.Changed, "#trace-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        kind = _KINDS.get(str(event.value))
        if kind is not None and kind != self.kind:
            self.kind = kind
            self.reload()

    def on_traces_loaded(self, message: TracesLoaded) -> None:
        if message.kind != self.kind:
            return  # an answer to a question no longer asked
        self.show(message.traces)

    def on_feed_failed(self, message: FeedFailed) -> None:
        # left to bubble: the screen announces a failing source once
        self.query_one("#trace-status", Static).update(Text(message.error, style="red"))

    def show(self, traces: list[TraceSummary]) -> None:
        """Draw a list of traces."""
        table = self.query_one("#trace-table", DataTable)
        self._ids = [t.trace_id for t in traces]
        id_width = 32 if self._wide else 16
        cells = [(
            Text(t.trace_id[:id_width], style="bold magenta"),
            Text(f"{t.root_service}: {t.root_name}"),
            Text(fmt.clock_time(t.start)),
            Text(f"{t.duration_ms:.1f}", justify="right"),
            Text(str(t.span_count), justify="right"),
            Text("yes", style="bold red") if t.error else Text(""),
        ) for t in traces]
        # drawn once per load: columns sized here, not on the table's next idle
        fit_columns(table, _COLUMNS, cells)
        for t, row in zip(traces, cells, strict=True):
            table.add_row(*row, key=t.trace_id)
        count = len(traces)
        self.query_one("#trace-status", Static).update(
            f"{count} {self.kind} trace{'s' if count != 1 else ''} · Enter: waterfall")

    @on(DataTable.RowSelected, "#trace-table")
    def _trace_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenTrace(str(event.row_key.value)))
