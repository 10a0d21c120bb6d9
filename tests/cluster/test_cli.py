"""`dyttctl cluster render`, and the process settings a cluster relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dyttctl.cli import cli
from services.mesh.probe import healthy
from services.mesh.settings import ProcessSettings
from tests.cluster.conftest import INFRA_HOST


@pytest.mark.parametrize("target", ["swarm", "k8s"])
def test_render_writes_the_files_and_says_how_to_apply(tmp_path: Path, target: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path / "home"), "cluster", "render", target, "--out", str(out)],
        env={"DYTT_STACK__HOST": INFRA_HOST})
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written and all(p.is_file() for p in written)
    assert ("kubectl apply" if target == "k8s" else "docker stack deploy") in result.stderr


def test_render_refuses_loopback_infrastructure(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "cluster", "render", "k8s", "--out", str(tmp_path / "o")],
        env={"DYTT_STACK__HOST": "127.0.0.1"})
    assert result.exit_code == 1 and "DYTT_MYSQL__HOST" in result.output


def test_the_advertised_host_is_an_address_or_the_local_one_in_a_network(tmp_path: Path) -> None:
    base = {"name": "feed", "pki_dir": tmp_path, "host": "0.0.0.0"}
    assert ProcessSettings(**base).advertised_host() == "0.0.0.0"
    assert ProcessSettings(**base, advertise_host="10.1.2.3").advertised_host() == "10.1.2.3"
    assert ProcessSettings(**base, advertise_host="127.0.0.0/8").advertised_host() == "127.0.0.1"
    with pytest.raises(RuntimeError, match="no local address"):
        ProcessSettings(**base, advertise_host="198.51.100.0/24").advertised_host()


def test_a_setting_may_come_from_a_secret_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "DYTT_SVC_ZIPKIN_URL").write_text("http://zipkin:9411/api/v2/spans")
    monkeypatch.setenv("DYTT_SVC_SECRETS_DIR", str(tmp_path))
    settings = ProcessSettings(name="feed", pki_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.zipkin_url == "http://zipkin:9411/api/v2/spans"


def test_the_probe_says_unhealthy_when_nothing_answers() -> None:
    ok, said = healthy("grpc://127.0.0.1:9", timeout=1)
    assert not ok and said == "UNAVAILABLE"
    assert not healthy("ftp://x")[0]
