"""`dyttctl traces` and `dyttctl trace` against the real Zipkin of the test stack."""

from __future__ import annotations

import json
import secrets
import time

import pytest
from click.testing import CliRunner, Result

from dyttctl.cli import cli
from dyttctl.commands import traces as traces_commands
from stack.zipkin import zipkin_client
from tests.conftest import RunningStack
from tests.stack.test_zipkin import post_sample_trace

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    # cli.py does not register these commands yet; adding them again is harmless
    for command in traces_commands.COMMANDS:
        cli.add_command(command)


@pytest.fixture(scope="module")
def sample(running_stack: RunningStack) -> tuple[str, list[str]]:
    """A 3-span trace, once Zipkin has indexed it for both lookups and searches."""
    client = zipkin_client(running_stack.context)
    trace_id, ids = post_sample_trace(client.base_url)
    deadline = time.monotonic() + 10
    while not any(t.trace_id == trace_id and t.span_count == 3
                  for t in client.traces(service="gateway")):
        assert time.monotonic() < deadline, "zipkin did not index the sample trace"
        time.sleep(0.2)
    return trace_id, ids


def run(stack: RunningStack, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(stack.home), *args], env=stack.env)


def test_trace_prints_the_waterfall_in_tree_order(
    running_stack: RunningStack, sample: tuple[str, list[str]]
) -> None:
    trace_id, _ids = sample
    result = run(running_stack, "trace", trace_id)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = ["get /api/videos", "user.getuser", "db.query"]
    rows = [next(i for i, line in enumerate(lines) if name in line) for name in names]
    assert rows == sorted(rows)
    assert lines[rows[0]].startswith("gateway") and lines[rows[1]].startswith("gateway")
    assert lines[rows[2]].startswith("user")
    # children are indented under their parent
    assert lines[rows[1]].index("user.getuser") > lines[rows[0]].index("get /api/videos")
    assert lines[rows[2]].index("db.query") > lines[rows[1]].index("user.getuser")
    assert "█" in lines[rows[2]]
    url = zipkin_client(running_stack.context).ui_url(trace_id)
    assert url in result.output


def test_trace_json(running_stack: RunningStack, sample: tuple[str, list[str]]) -> None:
    trace_id, ids = sample
    result = run(running_stack, "trace", trace_id, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["trace_id"] == trace_id and doc["ui_url"].endswith(f"/zipkin/traces/{trace_id}")
    assert [(s["depth"], s["id"], s["service"], s["error"]) for s in doc["spans"]] == [
        (0, ids[0], "gateway", False), (1, ids[1], "gateway", False), (2, ids[2], "user", True),
    ]
    assert doc["spans"][1]["offset_ms"] == pytest.approx(5.0)


def test_traces_lists_the_trace_for_its_service(
    running_stack: RunningStack, sample: tuple[str, list[str]]
) -> None:
    trace_id, _ids = sample
    result = run(running_stack, "traces", "--service", "gateway", "--json")
    assert result.exit_code == 0, result.output
    found = {t["trace_id"]: t for t in json.loads(result.output)}
    assert trace_id in found
    assert (found[trace_id]["span_count"], found[trace_id]["error"]) == (3, True)
    assert found[trace_id]["root_service"] == "gateway"

    table = run(running_stack, "traces", "--errors")
    assert table.exit_code == 0, table.output
    row = next(line for line in table.output.splitlines() if trace_id in line)
    # the root folds onto a second line in an 80-column terminal
    assert "gateway: get" in row and row.rstrip().endswith("yes")


def test_an_unknown_trace_id_fails_with_one_line(running_stack: RunningStack) -> None:
    result = run(running_stack, "trace", secrets.token_hex(16))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "not found" in result.output
