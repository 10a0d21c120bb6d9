"""Updating a DataTable in place: a 2-second refresh should repaint only the cells that changed.
And sizing the columns of a table drawn once per load, so its first paint is its last."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import JustifyMethod
from rich.text import Text
from textual.widgets import DataTable

Row = tuple[str, Sequence[Any]]
Column = tuple[str, str, JustifyMethod]
"""A column's key, header and justification."""


def fit_columns(table: DataTable[Any], columns: Sequence[Column],
                rows: Sequence[Sequence[Text]]) -> None:
    """Clear `table` and give it `columns`, each as wide as its header or its widest cell in
    `rows` (which the caller adds next).

    A column DataTable sizes itself is measured on the table's next idle; a paint that comes
    first keeps every cell cut to its header's width until something else redraws the table (the
    cause of Textual issue #3533). A live table soon redraws; one drawn once per load would not.
    """
    table.clear(columns=True)
    for index, (key, header, justify) in enumerate(columns):
        label = Text(header, justify=justify)
        width = max([label.cell_len, *(row[index].cell_len for row in rows)])
        table.add_column(label, key=key, width=width)


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
