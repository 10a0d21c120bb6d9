"""The components panel: one row per component, refreshed by the components feed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from dyttctl.cockpit import ComponentRow, fmt
from dyttctl.tui.styles import STATE_STYLE, cert_style, health_text
from dyttctl.tui.widgets.table import sync_rows

# cert: days left of the component's certificate; renew: when the supervisor renews it
NARROW = ("name", "state", "inst", "pid", "health", "up", "rst", "cpu%", "mem", "cert", "renew")
WIDE = ("name", "kind", "state", "inst", "pids", "up", "rst", "cpu%", "mem", "cert", "renew",
        "endpoint", "health")
RIGHT = {"inst", "pid", "pids", "up", "rst", "cpu%", "mem", "cert", "renew"}


def _pids(pids: tuple[int, ...], wide: bool) -> str:
    if not pids:
        return fmt.DASH
    if wide or len(pids) == 1:
        return ",".join(map(str, pids))
    return f"{pids[0]}+{len(pids) - 1}"


def _cells(row: ComponentRow, wide: bool) -> dict[str, Text | str]:
    return {
        "name": Text(row.name, style="bold"),
        "kind": row.kind,
        "state": Text(row.state, style=STATE_STYLE.get(row.state, "")),
        "inst": fmt.count(row.instances),
        "pid": _pids(row.pids, wide),
        "pids": _pids(row.pids, wide),
        "health": health_text(row.health, row.healthy, wide),
        "up": fmt.duration(row.uptime_s),
        "rst": fmt.count(row.restarts),
        "cpu%": fmt.percent(row.cpu_percent),
        "mem": fmt.size(row.memory_bytes),
        "cert": Text(fmt.days(row.cert_days_left), style=cert_style(row.cert_days_left),
                     justify="right"),
        # overdue means no supervisor is renewing it (or it keeps failing: see its events)
        "renew": Text(fmt.renews(row.cert_renews_in_s), justify="right",
                      style="yellow" if (row.cert_renews_in_s or 1) <= 0 else ""),
        "endpoint": row.endpoint or fmt.DASH,
    }


class ComponentsPanel(DataTable[Text | str]):
    """State, instances, pids, health, uptime, restarts, CPU, memory, certificate age and
    renewal."""

    DEFAULT_CSS = """
    ComponentsPanel { height: auto; max-height: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", id=id)
        self.border_title = "components"
        self._rows: list[ComponentRow] = []
        self._wide = False
        self._columns: tuple[str, ...] = ()

    @property
    def selected(self) -> ComponentRow | None:
        """The component under the cursor."""
        if not self._rows or self.cursor_row >= len(self._rows):
            return None
        return self._rows[self.cursor_row]

    def set_wide(self, wide: bool) -> None:
        """Show the extra columns (kind, endpoint, health detail) when there is room."""
        if wide != self._wide:
            keep = self.selected
            self._wide = wide
            self._draw(keep.name if keep else None, force=True)

    def show(self, rows: list[ComponentRow]) -> None:
        """Replace the rows (a no-op when nothing changed, to spare a repaint)."""
        if rows != self._rows:
            keep = self.selected
            self._rows = rows
            self._draw(keep.name if keep else None)

    def _draw(self, keep: str | None, force: bool = False) -> None:
        columns = WIDE if self._wide else NARROW
        if force or columns != self._columns:
            self.clear(columns=True)
            for name in columns:
                self.add_column(Text(name, justify="right" if name in RIGHT else "left"),
                                key=name)
            self._columns = columns
        rows = []
        for row in self._rows:
            cells = _cells(row, self._wide)
            rows.append((row.name, [self._justify(c, cells[c]) for c in columns]))
        sync_rows(self, rows)
        names = [r.name for r in self._rows]
        if keep in names and self.cursor_row != names.index(keep):
            self.move_cursor(row=names.index(keep), animate=False)

    @staticmethod
    def _justify(column: str, cell: Text | str) -> Text | str:
        if column not in RIGHT:
            return cell
        return Text(cell, justify="right") if isinstance(cell, str) else cell
