from __future__ import annotations

from pathlib import Path

import pytest

from stack.definition import load_definition
from stack.errors import DefinitionError


def test_default_definition_lists_the_infrastructure_in_dependency_order() -> None:
    definition = load_definition(None, {})
    names = [c.name for c in definition.select(None)]
    assert names[:4] == ["mysql", "etcd", "minio", "zipkin"]
    assert definition.components["mysql"].port == 13306
    assert definition.stack.provider == "native"


def test_default_ports_avoid_the_servers_usual_ones() -> None:
    definition = load_definition(None, {})
    used = {p for c in definition.components.values() for p in c.ports.values()}
    assert not used & {3306, 2379, 2380, 9000, 9001, 9411}


def test_config_file_merges_over_the_definition(tmp_path: Path) -> None:
    config = tmp_path / "dytt.toml"
    config.write_text('[components.mysql]\nports = { main = 23306 }\nparams = { database = "x", '
                      'user = "u" }\n[stack]\nprovider = "docker"\n')
    definition = load_definition(config, {})
    mysql = definition.components["mysql"]
    assert mysql.port == 23306
    assert mysql.params["database"] == "x"
    # fields the config file does not name keep their defaults
    assert mysql.stop_timeout == 30
    assert definition.provider_of(mysql) == "docker"


def test_environment_overrides_win_over_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "dytt.toml"
    config.write_text("[components.etcd]\nports = { main = 22379, peer = 22380 }\n")
    env = {
        "DYTT_ETCD__PORTS__MAIN": "32379",
        "DYTT_ZIPKIN__PROVIDER": "external",
        "DYTT_ZIPKIN__HOST": "zipkin.internal",
        "DYTT_SECRETS__MINIO_ROOT_USER": "admin",
        "DYTT_UNRELATED": "ignored",
        "DYTT_HOME": "/ignored/too",
    }
    definition = load_definition(config, env)
    etcd = definition.components["etcd"]
    assert etcd.ports == {"main": 32379, "peer": 22380}
    zipkin = definition.components["zipkin"]
    assert definition.provider_of(zipkin) == "external"
    assert definition.host_of(zipkin) == "zipkin.internal"
    assert definition.secrets == {"minio_root_user": "admin"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[components.a]\nkind = "infra"\nports = { main = 1 }\ndepends_on = ["nope"]\n'
         'ready = { check = "tcp" }\n', "unknown component 'nope'"),
        ('[components.a]\nkind = "infra"\nports = { main = 1 }\ndepends_on = ["b"]\n'
         'ready = { check = "tcp" }\n[components.b]\nkind = "infra"\nports = { main = 2 }\n'
         'depends_on = ["a"]\nready = { check = "tcp" }\n', "dependency cycle"),
        ('[components.a]\nkind = "infra"\nports = { web = 1 }\nready = { check = "tcp" }\n',
         "'main' port"),
        ('[components.a]\nkind = "infra"\nports = { main = 70000 }\nready = { check = "tcp" }\n',
         "not in 1..65535"),
        ('[components.a]\nkind = "infra"\nports = { main = 1 }\nready = { check = "tcp" }\n'
         'colour = "red"\n', "colour"),
        ("[components.a\n", "invalid TOML"),
    ],
)
def test_invalid_definitions_fail_with_one_clear_line(
    tmp_path: Path, text: str, message: str
) -> None:
    base = tmp_path / "stack.toml"
    base.write_text(text)
    with pytest.raises(DefinitionError, match=message) as info:
        load_definition(None, {}, base_file=base)
    assert "\n" not in str(info.value)


def test_invalid_environment_override_names_the_field() -> None:
    with pytest.raises(DefinitionError, match=r"components\.mysql\.ports\.main"):
        load_definition(None, {"DYTT_MYSQL__PORTS__MAIN": "lots"})


def test_select_adds_dependencies_and_rejects_unknown_names(tmp_path: Path) -> None:
    base = tmp_path / "stack.toml"
    base.write_text(
        "".join(
            f'[components.{n}]\nkind = "infra"\nports = {{ main = {i + 1} }}\n'
            f"depends_on = {deps!r}\nready = {{ check = \"tcp\" }}\n"
            for i, (n, deps) in enumerate([("app", ["db", "cache"]), ("db", []), ("cache", ["db"]),
                                           ("other", [])])
        )
    )
    definition = load_definition(None, {}, base_file=base)
    assert [c.name for c in definition.select(["app"])] == ["db", "cache", "app"]
    with pytest.raises(DefinitionError, match="unknown component 'nope'"):
        definition.select(["nope"])


def test_liveness_has_defaults_and_takes_overrides(tmp_path: Path) -> None:
    config = tmp_path / "dytt.toml"
    config.write_text("[components.mysql]\nliveness = { failure_after = 60 }\n")
    definition = load_definition(config, {"DYTT_ZIPKIN__LIVENESS__PERIOD": "1",
                                          "DYTT_USER__LIVENESS__ENABLED": "false"})
    default = definition.components["etcd"].liveness
    assert (default.period, default.timeout, default.failure_after, default.initial_delay,
            default.enabled) == (5, 2, 30, 10, True)
    assert definition.components["mysql"].liveness.failure_after == 60
    assert definition.components["mysql"].liveness.period == 5
    assert definition.components["zipkin"].liveness.period == 1
    assert definition.components["user"].liveness.enabled is False
    with pytest.raises(DefinitionError, match=r"liveness\.period"):
        load_definition(None, {"DYTT_ETCD__LIVENESS__PERIOD": "0"})
