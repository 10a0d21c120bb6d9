"""The logs panel: a filter bar over the followed lines; Enter on a line opens its trace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Select, Static

from dyttctl.cockpit import LogBuffer, LogQuery, fmt, highlights
from dyttctl.cockpit.logs import line_text, short_trace
from dyttctl.tui.messages import OpenTrace
from dyttctl.tui.styles import LEVEL_SHORT, LEVEL_STYLE, component_style, highlighted
from stack.logs import LEVELS, LogLine

# rows on screen; the buffer keeps more, so widening the filter brings old lines back
MAX_ROWS = 1000
LEVEL_OPTIONS = [("any level", ""), *((f"≥ {name}", name) for name in LEVELS if name != "critical")]


class LogTable(DataTable[Text | str]):
    """The lines; the cursor follows the newest line until the operator moves it up."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("end", "follow", "Follow", show=False)]

    def action_follow(self) -> None:
        self.move_cursor(row=self.row_count - 1, animate=False)


class LogsPanel(Vertical):
    """Follows every component's logs; filters by component, level and text."""

    DEFAULT_CSS = """
    LogsPanel { height: 1fr; }
    LogsPanel > #log-filters { height: 1; }
    LogsPanel #log-text { width: 1fr; }
    LogsPanel #log-level { width: 16; }
    LogsPanel #log-component { width: 16; }
    LogsPanel #log-count { width: auto; padding: 0 1; color: $text-muted; }
    LogsPanel > LogTable { height: 1fr; overflow-x: hidden; }
    """

    def __init__(self, components: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.components = list(components)
        self.buffer = LogBuffer()
        self._shown: dict[str, LogLine] = {}
        self._seq = 0
        self.following = True

    def compose(self) -> ComposeResult:
        with Horizontal(id="log-filters"):
            yield Input(placeholder="filter text ( / )", compact=True, id="log-text")
            yield Select(LEVEL_OPTIONS, value="", allow_blank=False, compact=True,
                         id="log-level")
            yield Select([("all", ""), *((c, c) for c in self.components)],
                         value="", allow_blank=False, compact=True, id="log-component")
            yield Static("", id="log-count")
        table = LogTable(cursor_type="row", id="log-table")
        for name in ("time", "component", "lvl", "trace", "message"):
            table.add_column(name, key=name)
        yield table

    @property
    def table(self) -> LogTable:
        return self.query_one(LogTable)

    def shown_lines(self) -> list[LogLine]:
        """The lines on screen, oldest first."""
        return list(self._shown.values())

    def add_lines(self, lines: list[LogLine]) -> None:
        """Keep new lines and show those the filter accepts."""
        accepted = self.buffer.add(lines)
        if len(self._shown) + len(accepted) > MAX_ROWS:
            # one rebuild beats a thousand single-row removals
            self._redraw()
            return
        for line in accepted:
            self._append(line)
        self._after_change()

    def _append(self, line: LogLine) -> None:
        self._seq += 1
        key = str(self._seq)
        self._shown[key] = line
        query = self.buffer.query
        text = line_text(line)
        self.table.add_row(
            Text(fmt.clock_time(line.ts), style="dim"),
            Text(line.component, style=component_style(line.component, self.components)),
            Text(LEVEL_SHORT.get(line.level, line.level[:4].upper()),
                 style=LEVEL_STYLE.get(line.level, "")),
            Text(short_trace(line.trace_id), style="bold magenta"),
            highlighted(text, highlights(text, line.trace_id, query.text)),
            key=key,
        )

    def _redraw(self) -> None:
        self.table.clear()
        self._shown.clear()
        for line in self.buffer.visible()[-MAX_ROWS:]:
            self._append(line)
        self._after_change()

    def _after_change(self) -> None:
        if self.following and self.table.row_count:
            self.table.move_cursor(row=self.table.row_count - 1, animate=False)
        self._update_count()

    def _update_count(self) -> None:
        mode = "following" if self.following else "paused · End follows"
        self.query_one("#log-count", Static).update(
            f"{len(self._shown)}/{len(self.buffer)} · {mode}")

    def _query(self) -> LogQuery:
        level = self.query_one("#log-level", Select).value
        component = self.query_one("#log-component", Select).value
        return LogQuery(component=component if isinstance(component, str) and component else None,
                        min_level=level if isinstance(level, str) and level else None,
                        text=self.query_one("#log-text", Input).value.strip())

    @on(Input.Changed, "#log-text")
    @on(Select.Changed, "#log-level")
    @on(Select.Changed, "#log-component")
    def _filter_changed(self) -> None:
        self.buffer.query = self._query()
        self.following = True
        self._redraw()

    @on(Input.Submitted, "#log-text")
    def _filter_done(self) -> None:
        self.table.focus()

    @on(DataTable.RowHighlighted, "#log-table")
    def _cursor_moved(self, event: DataTable.RowHighlighted) -> None:
        following = event.cursor_row >= self.table.row_count - 1
        if following != self.following:
            self.following = following
            self._update_count()

    @on(DataTable.RowSelected, "#log-table")
    def _line_chosen(self, event: DataTable.RowSelected) -> None:
        line = self._shown.get(str(event.row_key.value))
        if line is None:
            return
        if line.trace_id:
            self.post_message(OpenTrace(line.trace_id))
        else:
            # no trace to open: the full line is the most useful thing to show
            self.notify(f"{line.component}/{line.instance}: {line_text(line)}",
                        title="no trace id on this line", markup=False, timeout=8)
