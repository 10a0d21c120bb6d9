"""The CLI's surface: exit codes, one-line errors, machine-readable output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dyttctl.cli import cli


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(cli, ["--home", str(tmp_path / "home"), *args], env=env)

    return invoke


def test_unknown_command_and_bad_option_are_usage_errors(run) -> None:
    assert run("fly").exit_code == 2
    assert run("status", "--colour").exit_code == 2
    assert run("--provider", "kubernetes", "status").exit_code == 2


def test_missing_config_file_is_a_usage_error(run, tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.toml"), "status")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_unknown_component_is_a_one_line_failure(run) -> None:
    result = run("up", "kafka")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: unknown component 'kafka' (known: mysql, etcd, minio")


def test_invalid_override_is_a_one_line_failure(run) -> None:
    result = run("status", env={"DYTT_ETCD__PORTS__MAIN": "many"})
    assert result.exit_code == 1
    assert "components.etcd.ports.main" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_status_json_when_nothing_runs(run, tmp_path: Path) -> None:
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["home"] == str((tmp_path / "home").resolve())
    rows = {c["name"]: c for c in doc["components"]}
    assert {"mysql", "etcd", "minio", "zipkin"} <= rows.keys()
    assert rows["mysql"]["state"] == "stopped"
    assert rows["mysql"]["endpoints"] == {"main": "mysql://127.0.0.1:13306"}
    assert rows["minio"]["endpoints"]["console"] == "http://127.0.0.1:19001"
    assert rows["zipkin"]["pid"] is None


def test_down_when_nothing_runs_is_harmless(run) -> None:
    result = run("down")
    assert result.exit_code == 0, result.output
    assert "not running" in result.output


def test_doctor_json_names_every_requirement_and_how_to_get_it(run) -> None:
    result = run("doctor", "--json")
    rows = {r["name"]: r for r in json.loads(result.stdout.split("\nError")[0])}
    assert {"mariadb", "etcd", "minio", "zipkin-server", "java", "go", "maven"} <= rows.keys()
    assert rows["minio"]["install"] == "go install github.com/minio/minio@latest"
    assert rows["mariadb"]["install"].endswith("mariadb-server")
    assert "io.zipkin:zipkin-server" in rows["zipkin-server"]["install"]
    # exit status follows what is missing
    assert result.exit_code == (1 if any(r["found"] is None for r in rows.values()) else 0)


def test_doctor_with_docker_provider_needs_no_native_servers(run) -> None:
    result = run("--provider", "docker", "doctor", "--json")
    # only the engine and debootstrap (the local images' base), which `make test` installs
    assert {c["name"] for c in json.loads(result.output)} == {"docker", "debootstrap"}
    assert result.exit_code == 0


def test_docker_provider_without_engine_fails_in_one_line(run, tmp_path: Path) -> None:
    result = run(
        "--provider", "docker", "up", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    )
    assert result.exit_code == 1
    assert "no Docker engine answers" in result.output
    assert "Traceback" not in result.output
