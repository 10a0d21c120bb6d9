"""The dialogs in front of an action: a yes/no confirmation, and "how many instances?"."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Number
from textual.widgets import Button, Input, Label

MAX_INSTANCES = 32

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > #dialog {{
    width: 60; max-width: 95%; height: auto; padding: 1 2;
    border: thick $warning; background: $surface;
}}
{name} #buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{name} Button {{ margin-left: 2; }}
{name} Input {{ margin-top: 1; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Ask before acting; dismisses with True only on an explicit yes."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                # focused first: Enter alone never confirms a destructive action
                yield Button("No (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ScaleScreen(ModalScreen[int | None]):
    """Ask for a number of instances; None when cancelled."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ScaleScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, name: str, current: int | None) -> None:
        super().__init__()
        self.component = name
        self.current = current

    def compose(self) -> ComposeResult:
        now = f" (now {self.current})" if self.current is not None else ""
        with Vertical(id="dialog"):
            yield Label(f"Scale {self.component} to how many instances?{now}")
            yield Input(str(self.current or 1), type="integer", id="count",
                        validators=[Number(minimum=0, maximum=MAX_INSTANCES)])
            yield Label("", id="problem")
            with Horizontal(id="buttons"):
                yield Button("Scale", variant="warning", id="ok")
                yield Button("Cancel", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#count", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#count")
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        field = self.query_one("#count", Input)
        result = field.validate(field.value)
        if not field.value or (result is not None and not result.is_valid):
            self.query_one("#problem", Label).update(
                f"a whole number from 0 to {MAX_INSTANCES}")
            return
        self.dismiss(int(field.value))

    @on(Button.Pressed, "#cancel")
    def _cancelled(self) -> None:
        self.dismiss(None)
