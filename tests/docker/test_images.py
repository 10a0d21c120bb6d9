"""The app image: who it runs as, what it leaves out, and that a warm build builds nothing."""

from __future__ import annotations

import pytest

from stack.images.catalog import APP_TAG
from tests.docker.conftest import DockerStack, engine_or_skip

pytestmark = [pytest.mark.docker, pytest.mark.timeout(3600)]


def test_the_app_image_runs_as_nobody_special_and_has_no_compiler(
        docker_stack: DockerStack) -> None:
    client = engine_or_skip()
    image = client.images.get(APP_TAG)  # type: ignore[attr-defined]
    assert image.attrs["Config"]["User"] not in ("", "0", "root")
    assert image.attrs["Config"]["Healthcheck"]["Test"][0] == "CMD"
    out = client.containers.run(  # type: ignore[attr-defined]
        APP_TAG, ["sh", "-c", "id -u; for c in gcc cc c++ make; do command -v $c; done; "
                  "python -c 'import grpc, av, services.user, gateway'; echo imports-ok"],
        remove=True).decode()
    lines = out.split()
    assert lines[0] != "0", out
    assert lines[1:] == ["imports-ok"], out  # no compiler, no make; the app imports


def test_a_warm_build_builds_nothing(docker_stack: DockerStack) -> None:
    import json

    results = json.loads(docker_stack.dc("images", "build", "--json"))
    assert {r["action"] for r in results} == {"up to date"}, results
    assert sum(r["seconds"] for r in results) < 60
