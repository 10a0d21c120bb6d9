"""The dashboard: components on top, logs / registry / traces below, actions by key.

The screen lays widgets out, starts the feeds (thread workers) and routes their messages;
every read and every action runs in a worker, never on the UI thread.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, TabbedContent, TabPane
from textual.worker import get_current_worker

from dyttctl.cockpit import CockpitApi, RegistryLost, RegistrySnapshot, RegistryState
from dyttctl.tui import feeds
from dyttctl.tui.messages import (
    ActionDone,
    ActionFailed,
    ComponentsUpdated,
    FeedFailed,
    LogsArrived,
    OpenTrace,
    RegistryChanged,
    TracesLoaded,
)
from dyttctl.tui.options import TuiOptions
from dyttctl.tui.screens.modals import ConfirmScreen, ScaleScreen
from dyttctl.tui.screens.trace import TraceScreen
from dyttctl.tui.widgets.components import ComponentsPanel
from dyttctl.tui.widgets.logs import LogsPanel
from dyttctl.tui.widgets.registry import RegistryPanel
from dyttctl.tui.widgets.traces import TracesPanel

QUESTIONS = {
    "restart": "Restart {name}?",
    "stop": "Stop {name}? Components that depend on it lose it.",
    "start": "Start {name}?",
    "rotate_cert": "Rotate {name}'s certificate (new key and serial)?",
}


class DashboardScreen(Screen[None]):
    """Everything at once; wider terminals also show the registry beside the components."""

    DEFAULT_CSS = """
    DashboardScreen #top { height: auto; max-height: 50%; }
    DashboardScreen #components { width: 1fr; }
    DashboardScreen #registry-side { display: none; height: auto; max-height: 100%;
                                     border-left: vkey $foreground 20%; }
    DashboardScreen #registry-side > DataTable { height: auto; }
    DashboardScreen.-wide #components { width: auto; }
    DashboardScreen.-wide #registry-side { display: block; width: 1fr; }
    DashboardScreen #bottom { height: 1fr; }
    DashboardScreen TabPane { padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "act('restart')", "Restart"),
        Binding("x", "act('stop')", "Stop"),
        Binding("s", "act('start')", "Start"),
        Binding("n", "scale", "Scale"),
        Binding("c", "act('rotate_cert')", "Rotate"),
        Binding("slash", "filter_logs", "Filter"),
        Binding("l", "tab('logs')", "Logs", show=False),
        Binding("g", "tab('registry')", "Registry", show=False),
        Binding("t", "tab('traces')", "Traces", show=False),
    ]

    def __init__(self, cockpit: CockpitApi, options: TuiOptions) -> None:
        super().__init__()
        self.cockpit = cockpit
        self.options = options
        self.registry = RegistryState()
        # the last error of each feed, so a failing source is announced once, not every tick
        self._failing: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield ComponentsPanel(id="components")
            yield RegistryPanel(id="registry-side")
        with TabbedContent(id="bottom", initial="logs"):
            with TabPane("Logs", id="logs"):
                yield LogsPanel(self.cockpit.component_names(), id="logs-panel")
            with TabPane("Registry", id="registry"):
                yield RegistryPanel(id="registry-tab")
            with TabPane("Traces", id="traces"):
                yield TracesPanel(self.cockpit, self.options.traces_every, id="traces-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ComponentsPanel).focus()
        self._components_feed()
        self._registry_feed()
        self._logs_feed()

    # ---- feeds: each a thread worker that sleeps on its cancel event between reads ----

    @work(thread=True, group="components", exit_on_error=False)
    def _components_feed(self) -> None:
        stop = get_current_worker().cancelled_event
        feeds.components(self.cockpit, self.post_message, self.options.components_every, stop)

    @work(thread=True, group="registry", exit_on_error=False)
    def _registry_feed(self) -> None:
        feeds.registry(self.cockpit, self.post_message, get_current_worker().cancelled_event)

    @work(thread=True, group="logs", exit_on_error=False)
    def _logs_feed(self) -> None:
        stop = get_current_worker().cancelled_event
        feeds.logs(self.cockpit, self.post_message, self.options.logs_every,
                   self.options.backlog_lines, stop)

    @work(thread=True, group="actions", exit_on_error=False)
    def _act(self, verb: str, name: str, n: int | None = None) -> None:
        feeds.act(self.cockpit.control, self.post_message, verb, name, n)

    # ---- what the feeds report ----

    def on_components_updated(self, message: ComponentsUpdated) -> None:
        self._recovered("components")
        self.query_one(ComponentsPanel).show(message.rows)
        # instance ages tick with the components' refresh; no timer of their own
        self._draw_registry()

    def on_registry_changed(self, message: RegistryChanged) -> None:
        update = message.update
        self.registry.apply(update)
        self._draw_registry()
        if isinstance(update, RegistryLost):
            self._failed("registry", update.reason)
        elif isinstance(update, RegistrySnapshot):
            self._recovered("registry")

    def on_logs_arrived(self, message: LogsArrived) -> None:
        self._recovered("logs")
        self.query_one(LogsPanel).add_lines(message.lines)

    def on_traces_loaded(self, _message: TracesLoaded) -> None:
        self._recovered("traces")

    def on_feed_failed(self, message: FeedFailed) -> None:
        self._failed(message.feed, message.error)

    def _failed(self, feed: str, error: str) -> None:
        if self._failing.get(feed) != error:
            self._failing[feed] = error
            self.notify(error, title=feed, severity="error", markup=False)

    def _recovered(self, feed: str) -> None:
        if self._failing.pop(feed, None) is not None:
            self.notify(f"{feed}: back", timeout=3)

    def _draw_registry(self) -> None:
        now = self.options.clock()
        for panel in self.query(RegistryPanel):
            panel.show(self.registry, now)

    # ---- layout ----

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= self.options.side_by_side_at
        self.set_class(wide, "-wide")
        self.query_one(ComponentsPanel).set_wide(event.size.width >= self.options.details_at)
        self.query_one(TracesPanel).set_wide(wide)
        tabs = self.query_one(TabbedContent)
        if wide:
            if tabs.active == "registry":
                tabs.active = "logs"
            tabs.hide_tab("registry")
        else:
            tabs.show_tab("registry")

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.query_one(TracesPanel).activate(event.pane.id == "traces")

    def action_tab(self, tab: str) -> None:
        if tab == "registry" and self.has_class("-wide"):
            return  # the registry is beside the components already
        self.query_one(TabbedContent).active = tab

    def action_filter_logs(self) -> None:
        self.action_tab("logs")
        self.query_one("#log-text", Input).focus()

    @on(DataTable.RowSelected, "#components")
    def _component_chosen(self) -> None:
        # what the narrow columns leave out: the probe's detail, the address, every pid
        row = self.query_one(ComponentsPanel).selected
        if row is not None:
            pids = ", ".join(map(str, row.pids)) or "none"
            self.notify(f"health: {row.health}\nendpoint: {row.endpoint or '-'}\npids: {pids}",
                        title=f"{row.name} ({row.kind}, {row.provider})", markup=False)

    # ---- traces ----

    def on_open_trace(self, message: OpenTrace) -> None:
        self.app.push_screen(TraceScreen(self.cockpit, message.trace_id))

    # ---- actions ----

    def _target(self) -> tuple[str, int | None] | None:
        row = self.query_one(ComponentsPanel).selected
        if row is None:
            self.notify("no component selected", severity="warning")
            return None
        return row.name, row.instances

    def action_act(self, verb: str) -> None:
        target = self._target()
        if target is None:
            return
        name = target[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(verb, name)

        self.app.push_screen(ConfirmScreen(QUESTIONS[verb].format(name=name)), answered)

    def action_scale(self) -> None:
        target = self._target()
        if target is None:
            return
        name, current = target

        def answered(n: int | None) -> None:
            if n is not None:
                self._act("scale", name, n)

        self.app.push_screen(ScaleScreen(name, current), answered)

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text, markup=False)

    def on_action_failed(self, message: ActionFailed) -> None:
        self.notify(message.text, title="action failed", severity="error", markup=False)
