"""`dyttctl tui`: the cockpit, a live dashboard of the stack in the terminal."""

from __future__ import annotations

import click

from dyttctl.context import Operator, pass_operator


@click.command()
@click.option("--refresh", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              metavar="SECONDS", help="Seconds between two refreshes of the components.")
@pass_operator
def tui(op: Operator, refresh: float) -> None:
    """Watch and steer the stack: components, registrations, logs and traces, live.

    \b
    Keys (each action asks first):
      r restart   x stop   s start   n scale   c rotate certificate
      / filter logs   l g t  logs, registry and traces tabs
      Enter on a log line or a trace: its waterfall   q quit
    """
    # imported here: Textual is only loaded by the command that needs it
    from dyttctl.cockpit import Cockpit
    from dyttctl.tui import CockpitApp, TuiOptions

    CockpitApp(Cockpit(op.stack), TuiOptions(components_every=refresh)).run()


COMMANDS = [tui]
