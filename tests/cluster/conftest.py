"""A cluster plan of the shipped definition, in a throwaway state dir (no server runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.cluster.plan import ClusterPlan, build_plan
from stack.definition import load_definition
from stack.state import StackContext

# where the rendered stack finds its infrastructure: anything but loopback will do to render
INFRA_HOST = "10.20.30.40"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> ClusterPlan:
    """The plan of the shipped stack, its infrastructure at INFRA_HOST."""
    home = tmp_path_factory.mktemp("cluster-home")
    definition = load_definition(Path("/nonexistent"), {"DYTT_STACK__HOST": INFRA_HOST})
    return build_plan(StackContext(definition, home))
