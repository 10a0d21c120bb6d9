"""`dyttctl tui`: the command builds the real cockpit of the chosen state dir and runs the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dyttctl.cli import cli
from dyttctl.cockpit import Cockpit, DefaultControl
from dyttctl.commands import tui as tui_module
from dyttctl.commands.tui import tui
from dyttctl.tui import CockpitApp


@pytest.fixture(autouse=True)
def _registered() -> None:
    cli.add_command(tui)  # idempotent; cli.py registers it for real


def test_the_module_exposes_the_command() -> None:
    assert [tui] == tui_module.COMMANDS


def test_help_names_the_keys() -> None:
    result = CliRunner().invoke(cli, ["tui", "--help"])
    assert result.exit_code == 0, result.output
    for key in ("r restart", "n scale", "c rotate certificate", "/ filter logs", "q quit"):
        assert key in result.output


def test_tui_runs_the_app_on_the_cockpit_of_the_home(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[CockpitApp] = []
    monkeypatch.setattr(CockpitApp, "run", lambda self: seen.append(self))
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "tui", "--refresh", "3"],
                                env={"DYTT_HOME": None})
    assert result.exit_code == 0, result.output
    (app,) = seen
    assert isinstance(app.cockpit, Cockpit)
    assert app.cockpit.ctx.home == tmp_path.resolve()
    assert isinstance(app.cockpit.control, DefaultControl)
    assert app.options.components_every == 3
    assert not (tmp_path / "logs").exists()  # building the cockpit reads nothing yet
