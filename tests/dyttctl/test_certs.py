"""`dyttctl certs` end to end on a throwaway state dir, with a real TLS handshake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dyttctl.cli import cli
from pki.store import PkiStore
from services.common.server import RunningServer, ServiceSpec, create_server
from services.common.settings import ServiceSettings
from stack.ports import free_port


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), "certs", *args])


def _by_identity(home: Path) -> dict[str, dict]:
    result = run(home, "list", "--json")
    assert result.exit_code == 0, result.output
    return {c["identity"] or c["common_name"]: c for c in json.loads(result.output)}


def test_init_refuses_to_overwrite_without_force(home: Path) -> None:
    first = run(home, "init")
    assert first.exit_code == 0 and "serial" in first.output
    again = run(home, "init")
    assert again.exit_code == 1 and "already exists" in again.output
    assert len(again.output.strip().splitlines()) == 1
    forced = run(home, "init", "--force")
    assert forced.exit_code == 0
    assert forced.output.split("serial")[1] != first.output.split("serial")[1]
    assert (home / "pki" / "jwt" / "public.pem").exists()


def test_issue_list_check_rotate_and_revoke(home: Path) -> None:
    assert run(home, "init").exit_code == 0
    assert run(home, "issue", "user", "--san", "user.internal").exit_code == 0
    user = _by_identity(home)["user"]
    assert {"user.internal", "127.0.0.1", "spiffe://dytt/user"} <= set(user["sans"])
    assert run(home, "list", "--check").exit_code == 0

    rotated = run(home, "rotate", "user")
    assert rotated.exit_code == 0
    new = _by_identity(home)["user"]
    assert new["serial"] != user["serial"] and new["sans"] == user["sans"]

    assert run(home, "issue", "feed").exit_code == 0
    everything = run(home, "rotate", "--all")
    assert everything.exit_code == 0 and "feed:" in everything.output
    assert run(home, "rotate", "user", "--all").exit_code == 2
    assert run(home, "rotate").exit_code == 2

    revoked = run(home, "revoke", "user")
    assert revoked.exit_code == 0
    assert _by_identity(home)["user"]["revoked"] is True
    check = run(home, "list", "--check")
    assert check.exit_code == 1 and "revoked" in check.output


def test_check_flags_a_certificate_about_to_expire(home: Path) -> None:
    run(home, "init")
    assert run(home, "issue", "shortlived", "--days", "1").exit_code == 0
    assert run(home, "list", "--check", "--within", "0.5").exit_code == 0
    failing = run(home, "list", "--check", "--within", "2")
    assert failing.exit_code == 1 and "shortlived" in failing.output


def test_unknown_names_fail_in_one_line(home: Path) -> None:
    run(home, "init")
    result = run(home, "revoke", "nobody")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert run(home, "issue", "Bad Name!").exit_code == 1
    assert run(home, "inspect", "not-a-file-nor-hostport").exit_code == 2


def test_inspect_file_shows_identity_and_sans(home: Path) -> None:
    run(home, "init")
    run(home, "issue", "user")
    result = run(home, "inspect", str(home / "pki" / "certs" / "user.crt"), "--json")
    assert result.exit_code == 0
    cert = json.loads(result.output)["certificate"]
    assert cert["identity"] == "user"
    assert "serverAuth" in cert["extended_key_usages"]


@pytest.fixture
def server(home: Path) -> Iterator[RunningServer]:
    run(home, "init")
    run(home, "issue", "probe")
    settings = ServiceSettings(name="probe", pki_dir=home / "pki", port=0,  # type: ignore[call-arg]
                               etcd="127.0.0.1:1")
    running = create_server(settings, ServiceSpec("dytt.test.v1.Nothing", lambda s: None))
    yield running
    running.stop(0)


def test_inspect_host_port_does_a_real_mtls_handshake(home: Path, server: RunningServer) -> None:
    result = run(home, "inspect", f"127.0.0.1:{server.port}", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["ok"] is True and doc["tls_version"].startswith("TLS")
    assert doc["chain"][0]["identity"] == "probe"
    assert doc["chain"][0]["serial"] == format(
        PkiStore(home / "pki").load_leaf_cert("probe").serial_number, "X")


def test_inspect_fails_against_a_port_where_nothing_listens(home: Path) -> None:
    run(home, "init")
    port = free_port()  # nothing listens there
    result = run(home, "inspect", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "handshake" in result.output
