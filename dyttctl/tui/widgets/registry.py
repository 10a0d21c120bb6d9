"""The registry panel: the service instances registered in etcd, as they come and go."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from dyttctl.cockpit import RegistryState, fmt
from dyttctl.tui.styles import EVENT_STYLE
from dyttctl.tui.widgets.table import sync_rows

COLUMNS = ("service", "instance", "address", "pid", "version", "up")


class RegistryPanel(Vertical):
    """A status line (connected? last event) over a table of registrations."""

    DEFAULT_CSS = """
    RegistryPanel { height: 1fr; }
    RegistryPanel > #registry-status { height: 1; padding: 0 1; color: $text-muted; }
    RegistryPanel > DataTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._status_markup = ""

    def compose(self) -> ComposeResult:
        yield Static("etcd: connecting…", id="registry-status")
        table: DataTable[str] = DataTable(cursor_type="row", id="registry-table")
        for name in COLUMNS:
            table.add_column(name, key=name)
        yield table

    def show(self, state: RegistryState, now: float) -> None:
        """Draw `state`; `now` (epoch seconds) dates the instances."""
        status = _status(state)
        if status.markup != self._status_markup:  # unchanged text: spare the repaint
            self._status_markup = status.markup
            self.query_one("#registry-status", Static).update(status)
        sync_rows(self.query_one("#registry-table", DataTable), [
            (f"{reg.service}/{reg.instance}",
             (reg.service, reg.instance, reg.address or fmt.DASH, fmt.count(reg.pid),
              reg.version or fmt.DASH, fmt.age(reg.started_at, now)))
            for reg in state.registrations()
        ])

    def instance_keys(self) -> list[str]:
        """`service/instance` of every row shown (what tests and the status line count)."""
        table = self.query_one("#registry-table", DataTable)
        return [str(key.value) for key in table.rows]


def _status(state: RegistryState) -> Text:
    count = len(state.registrations())
    if not state.connected:
        reason = state.error or "connecting…"
        stale = f" · showing the last {count} known" if count else ""
        return Text(f"etcd: {reason}{stale}; retrying", style="red")
    out = Text(f"etcd rev {state.revision} · {count} instance{'s' if count != 1 else ''}")
    if state.last_event is not None:
        event = state.last_event
        reg = event.registration
        out.append(" · last: ")
        out.append(event.action, style=EVENT_STYLE[event.action])
        out.append(f" {reg.service}/{reg.instance}")
    return out
