"""`dyttctl certs` end to end on a throwaway state dir, with real TLS handshakes."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from dyttctl.cli import cli
from dyttctl.commands.certs import certs, parse_target
from pki import ops
from pki.store import PkiStore
from tests.tls_server import TlsServer, mtls_context

Run = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(home: Path) -> Run:
    cli.add_command(certs)  # idempotent: the same group under the same name

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--home", str(home), "certs", *args])

    return invoke


@pytest.fixture
def store(home: Path) -> PkiStore:
    return PkiStore(home / "pki")


def _listing(run: Run) -> dict[str, dict]:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    return {c["name"]: c for c in json.loads(result.stdout)}


def _one_line_error(result: Result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    return lines[0]


def test_init_creates_the_ca_and_jwt_keys_and_refuses_to_overwrite(run: Run, home: Path) -> None:
    first = run("init")
    assert first.exit_code == 0, first.output
    assert "CN=dytt root CA" in first.stdout
    for field in ("serial", "not after", "sha256"):
        assert field in first.stdout
    assert "JWT key pair (new)" in first.stderr
    assert (home / "pki" / "jwt" / "public.pem").is_file()
    ca_serial = _listing(run)["CA"]["serial"]

    again = run("init")
    assert again.exit_code == 1
    assert "--force" in _one_line_error(again)
    assert _listing(run)["CA"]["serial"] == ca_serial

    forced = run("init", "--force")
    assert forced.exit_code == 0, forced.output
    assert _listing(run)["CA"]["serial"] != ca_serial
    assert "JWT" not in forced.stderr  # the existing JWT keys are kept


def test_forced_init_flags_leaves_of_the_old_ca(run: Run) -> None:
    run("init")
    run("issue", "user")
    forced = run("init", "--force")
    assert "issued by the old CA" in forced.stderr and "user" in forced.stderr
    check = run("list", "--check")
    assert check.exit_code == 1
    assert "user: not issued by the current CA" in check.stderr
    assert run("rotate", "--all").exit_code == 0
    assert run("list", "--check").exit_code == 0


def test_issue_adds_san_and_list_json_shows_it(run: Run) -> None:
    run("init")
    issued = run("issue", "user", "--san", "user.internal", "--san", "10.0.0.7")
    assert issued.exit_code == 0, issued.output
    assert "user.internal" in issued.stdout
    user = _listing(run)["user"]
    assert {"localhost", "127.0.0.1", "::1", "user", "user.internal", "10.0.0.7"} <= set(
        user["sans"]
    )
    assert "spiffe://dytt/user" in user["sans"]
    assert user["identity"] == "user" and user["revoked"] is False
    assert 6.9 < user["days_left"] <= 7


def test_issue_for_a_name_outside_the_stack_uses_default_sans(run: Run) -> None:
    run("init")
    issued = run("issue", "adhoc", "--san", "adhoc.example")
    assert issued.exit_code == 0, issued.output
    assert "not a component of the stack" in issued.stderr
    assert {"localhost", "127.0.0.1", "adhoc", "adhoc.example"} <= set(
        _listing(run)["adhoc"]["sans"]
    )


def test_issue_rejects_bad_input(run: Run) -> None:
    assert run("issue", "user").exit_code == 1  # no CA yet
    run("init")
    assert "invalid certificate name" in _one_line_error(run("issue", "Bad Name!"))
    assert "invalid SAN" in _one_line_error(run("issue", "user", "--san", "not a host"))
    assert run("issue", "user", "--days", "0").exit_code == 2


def test_list_table_names_every_certificate(run: Run) -> None:
    run("init")
    run("issue", "user")
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "CA" in result.stdout and "user" in result.stdout


def test_list_check_passes_on_fresh_material_and_fails_on_short_lived(run: Run) -> None:
    assert run("list", "--check").exit_code == 1  # no CA at all is a problem too
    run("init")
    run("issue", "user")
    assert run("list", "--check").exit_code == 0
    run("issue", "shortlived", "--days", "1")
    assert run("list", "--check", "--within", "0.5").exit_code == 0
    failing = run("list", "--check", "--within", "2")
    assert failing.exit_code == 1
    assert "shortlived: expires in" in failing.stderr
    assert "user" not in failing.stderr
    # --json keeps the same verdict, with parsable data on stdout
    as_json = run("list", "--check", "--json")
    assert as_json.exit_code == 1
    assert {c["name"] for c in json.loads(as_json.stdout)} == {"CA", "user", "shortlived"}


def test_revoke_prints_the_serial_and_fails_the_check(run: Run) -> None:
    run("init")
    run("issue", "user")
    serial = _listing(run)["user"]["serial"]
    revoked = run("revoke", "user")
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout.strip() == serial
    assert _listing(run)["user"]["revoked"] is True
    check = run("list", "--check")
    assert check.exit_code == 1
    assert "user: revoked" in check.stderr


def test_revoke_unknown_name_fails_in_one_line(run: Run) -> None:
    run("init")
    result = run("revoke", "nobody")
    assert result.exit_code == 1
    assert "nobody" in _one_line_error(result)


def test_rotate_changes_serial_and_keeps_sans(run: Run) -> None:
    run("init")
    run("issue", "user", "--san", "user.internal")
    run("issue", "feed")
    before = _listing(run)
    rotated = run("rotate", "user")
    assert rotated.exit_code == 0, rotated.output
    after = _listing(run)
    old, new = before["user"]["serial"], after["user"]["serial"]
    assert rotated.stdout.strip() == f"user: {old} -> {new}"
    assert after["user"]["serial"] != before["user"]["serial"]
    assert after["user"]["sans"] == before["user"]["sans"]
    assert after["feed"]["serial"] == before["feed"]["serial"]

    everything = run("rotate", "--all")
    assert everything.exit_code == 0, everything.output
    final = _listing(run)
    assert {line.split(":")[0] for line in everything.stdout.splitlines()} == {"feed", "user"}
    assert final["feed"]["serial"] != after["feed"]["serial"]
    assert final["user"]["serial"] != after["user"]["serial"]
    assert final["CA"]["serial"] == before["CA"]["serial"]


def test_rotate_usage_errors(run: Run) -> None:
    run("init")
    run("issue", "user")
    assert run("rotate", "user", "--all").exit_code == 2
    assert run("rotate").exit_code == 2
    assert "nobody" in _one_line_error(run("rotate", "nobody"))


def test_inspect_file_shows_identity_sans_and_chain(run: Run, store: PkiStore) -> None:
    run("init")
    run("issue", "user", "--san", "user.internal")
    crt, _ = store.leaf_paths("user")
    text = run("inspect", str(crt))
    assert text.exit_code == 0, text.output
    assert "spiffe://dytt/user" in text.stdout
    assert "user.internal" in text.stdout
    assert "issued by our CA" in text.stdout
    assert "serverAuth, clientAuth" in text.stdout

    doc = json.loads(run("inspect", str(crt), "--json").stdout)
    [cert] = doc["chain"]
    assert cert["identity"] == "user"
    assert cert["trust"] == "issued by our CA"
    assert "user.internal" in cert["sans"]
    assert cert["fingerprint_sha256"] == _listing(run)["user"]["fingerprint_sha256"]


def test_inspect_rejects_a_file_without_certificate(run: Run, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("hello\n")
    assert "no PEM or DER certificate" in _one_line_error(run("inspect", str(junk)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("localhost:443", ("localhost", 443)),
        ("127.0.0.1:15001", ("127.0.0.1", 15001)),
        ("[::1]:8443", ("::1", 8443)),
    ],
)
def test_parse_target_host_port(value: str, expected: tuple[str, int]) -> None:
    assert parse_target(value) == expected


@pytest.mark.parametrize(
    "value",
    ["nothing-here.pem", "::1:443", "[nope]:443", "host:http", "host:0", "host:70000", ":1"],
)
def test_parse_target_rejects_what_is_neither(value: str) -> None:
    with pytest.raises(click.UsageError):
        parse_target(value)


def test_parse_target_prefers_an_existing_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("localhost:443").write_text("")
    assert parse_target("localhost:443") == Path("localhost:443")


def test_inspect_bad_target_is_a_usage_error(run: Run) -> None:
    assert run("inspect", "not-a-file-nor-hostport").exit_code == 2


def test_inspect_host_port_does_a_real_mtls_handshake(run: Run, store: PkiStore) -> None:
    run("init")
    run("issue", "srv")
    with TlsServer(mtls_context(*store.leaf_paths("srv"), store.ca_cert_path)).running() as server:
        text = run("inspect", f"127.0.0.1:{server.port}")
        doc_result = run("inspect", f"127.0.0.1:{server.port}", "--json")
    assert text.exit_code == 0, text.output
    assert "ok" in text.stdout and "TLSv1.3" in text.stdout
    assert "spiffe://dytt/srv" in text.stdout
    # the client certificate dyttctl presented was created on the way
    assert "certificate dyttctl (missing)" in text.stderr
    assert store.has_leaf("dyttctl")

    assert doc_result.exit_code == 0, doc_result.output
    doc = json.loads(doc_result.stdout)
    assert doc["ok"] is True and doc["error"] is None
    assert doc["tls_version"] == "TLSv1.3" and doc["alpn"] == "h2" and doc["cipher"]
    assert [c["identity"] for c in doc["chain"]] == ["srv", None]
    assert doc["chain"][0]["serial"] == format(store.load_leaf_cert("srv").serial_number, "X")


def test_inspect_host_port_fails_against_a_foreign_ca(
    run: Run, store: PkiStore, tmp_path: Path
) -> None:
    run("init")
    foreign = PkiStore(tmp_path / "foreign")
    ops.init_ca(foreign)
    ops.issue(foreign, "impostor")
    impostor = mtls_context(*foreign.leaf_paths("impostor"), foreign.ca_cert_path)
    with TlsServer(impostor).running() as server:
        text = run("inspect", f"127.0.0.1:{server.port}")
        as_json = run("inspect", f"127.0.0.1:{server.port}", "--json")
    assert text.exit_code == 1
    assert "failed" in text.stdout and "certificate verify failed" in text.stderr
    # what was learned is still shown: the certificate the server presented
    assert "spiffe://dytt/impostor" in text.stdout
    assert as_json.exit_code == 1
    doc = json.loads(as_json.stdout)
    assert doc["ok"] is False and "certificate verify failed" in doc["error"]
    assert [c["identity"] for c in doc["chain"]] == ["impostor"]


def test_inspect_host_port_where_nothing_listens(run: Run) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    result = run("inspect", f"127.0.0.1:{port}", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False
    assert "handshake with" in result.stderr
