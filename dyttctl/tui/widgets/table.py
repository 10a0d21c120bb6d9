"""Updating a DataTable in place: a 2-second refresh should repaint only the cells that changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

Row = tuple[str, Sequence[Any]]


def sync_rows(table: DataTable[Any], rows: Sequence[Row]) -> None:
    """Make `table` show `rows` (key, cells): cell updates when the keys are unchanged, else a
    rebuild. Column keys are taken in order from the table's columns."""
    keys = [str(key.value) for key in table.rows]
    if keys != [key for key, _ in rows]:
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        return
    columns = list(table.columns)
    for key, cells in rows:
        current = table.get_row(key)
        for column, old, new in zip(columns, current, cells, strict=True):
            if not _same(old, new):
                table.update_cell(key, column, new)


def _same(old: object, new: object) -> bool:
    # rich's Text equality ignores the base style and justification, which we colour by
    if isinstance(old, Text) and isinstance(new, Text):
        return (old.plain, str(old.style), old.spans, old.justify) == (
            new.plain, str(new.style), new.spans, new.justify)
    return old == new
