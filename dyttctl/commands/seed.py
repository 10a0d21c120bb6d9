"""`dyttctl seed`: demo users, videos and a social graph in a running stack, via the gateway."""

from __future__ import annotations

import json

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dyttctl import seeding
from dyttctl.context import Operator, pass_operator


def make_client(base_url: str) -> seeding.ApiClient:
    """The gateway's client; tests replace this to serve a fake through httpx.MockTransport."""
    return seeding.ApiClient(base_url)


def _print_summary(op: Operator, url: str, s: seeding.SeedSummary) -> None:
    rows = (
        ("users", s.users_created + s.users_existing,
         f"{s.users_created} created, {s.users_existing} existing"),
        ("videos", s.videos_published + s.videos_skipped,
         f"{s.videos_published} published, {s.videos_skipped} skipped"),
        ("follows", s.follows, "ensured"),
        ("likes", s.likes, "ensured"),
        ("comments", s.comments_added + s.comments_skipped,
         f"{s.comments_added} added, {s.comments_skipped} skipped"),
        ("messages", s.messages_sent + s.messages_skipped,
         f"{s.messages_sent} sent, {s.messages_skipped} skipped"),
    )
    op.out.print(f"[bold]seeded[/] {url}")
    for name, total, detail in rows:
        op.out.print(f"{name:<9} {total:>3}  [dim]({detail})[/]")


@click.command()
@click.option("--users", "n_users", type=click.IntRange(1, len(seeding.USER_NAMES)), default=5,
              show_default=True, help="How many demo users (demo_ava, demo_ben, ...).")
@click.option("--videos-per-user", type=click.IntRange(0, len(seeding.ORDINALS)), default=2,
              show_default=True, help="Videos generated and published per user.")
@click.option("--gateway", metavar="URL", help="Gateway base URL. Default: the stack's gateway.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_operator
def seed(op: Operator, n_users: int, videos_per_user: int, gateway: str | None,
         as_json: bool) -> None:
    """Fill a running stack with demo users, videos, follows, likes, comments and messages.

    Safe to run again: what already exists is skipped. The demo accounts' password is
    seed_password in the state dir's secrets.json.
    """
    ctx = op.stack
    url = gateway or ctx.endpoint(ctx.definition.components["gateway"])
    plan = seeding.make_plan(ctx.secrets()["seed_password"], n_users, videos_per_user)
    columns = (TextColumn("[bold]seed[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))
    try:
        with make_client(url) as api, Progress(*columns, console=op.err) as bar:
            task = bar.add_task("", total=plan.steps)
            summary = seeding.seed(api, plan, seeding.sample_video,
                                   lambda step: bar.update(task, advance=1, description=step))
            bar.update(task, description="done")
    except seeding.GatewayUnreachable as exc:
        raise click.ClickException(
            f"cannot reach the gateway at {url}: is the stack running? Start it with `dyttctl up`"
        ) from exc
    except seeding.SeedError as exc:
        raise click.ClickException(f"seed failed at step '{exc.step}': {exc.message}") from exc
    if as_json:
        click.echo(json.dumps({"gateway": url, "accounts": list(plan.users), **summary.to_json()},
                              indent=2))
    else:
        _print_summary(op, url, summary)


COMMANDS = (seed,)
