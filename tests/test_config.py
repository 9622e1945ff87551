"""Settings: defaults, then a TOML file, then SHOPMIND_* variables, then explicit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shopmind.config import Settings, load
from shopmind.errors import ConfigError
from shopmind.events import EVENT_TYPES


def _toml(folder: Path, text: str, name: str = "shopmind.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder so that a ./shopmind-data/shopmind.toml cannot leak in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- defaults and sources ---------------------------------------------------------------------
def test_defaults(in_tmp: Path) -> None:
    settings = load()
    assert settings.home == Path("shopmind-data")
    assert settings.serve.port == 8000
    assert settings.serve.host == "127.0.0.1"
    assert settings.serve.log_level == "info"
    assert settings.store.url == ""
    assert settings.events.weights["purchase"] > settings.events.weights["view"] > 0


def test_default_store_url_is_a_sqlite_file_inside_the_home(in_tmp: Path) -> None:
    settings = load(home=in_tmp / "shop")
    expected_file = (in_tmp / "shop" / "shopmind.db").resolve()
    assert settings.store_url == f"sqlite:///{expected_file}"
    # the relative default home resolves against the working folder
    assert load().store_url == f"sqlite:///{(in_tmp / 'shopmind-data' / 'shopmind.db').resolve()}"


def test_explicit_store_url_is_kept(in_tmp: Path) -> None:
    _toml(in_tmp / "h", '[store]\nurl = "sqlite:////srv/other.db"\n')
    assert load(home=in_tmp / "h").store_url == "sqlite:////srv/other.db"


def test_toml_in_the_home_is_read(in_tmp: Path) -> None:
    home = in_tmp / "shop"
    _toml(home, "[serve]\nport = 9001\nmax_batch = 7\n\n[demo]\nseed = 3\n")
    settings = load(home=home)
    assert settings.serve.port == 9001
    assert settings.serve.max_batch == 7
    assert settings.demo.seed == 3
    assert settings.home == home


def test_default_home_toml_is_read(in_tmp: Path) -> None:
    _toml(in_tmp / "shopmind-data", "[serve]\nport = 9002\n")
    assert load().serve.port == 9002


def test_config_file_argument(in_tmp: Path) -> None:
    home = in_tmp / "shop"
    _toml(home, "[serve]\nport = 9001\n")
    other = _toml(in_tmp / "etc", "[serve]\nport = 9003\n", name="custom.toml")
    settings = load(config_file=other, home=home)
    assert settings.serve.port == 9003  # the explicit file wins over HOME/shopmind.toml


def test_config_file_from_environment(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = _toml(in_tmp / "etc", "[serve]\nport = 9004\n", name="custom.toml")
    monkeypatch.setenv("SHOPMIND_CONFIG", str(other))
    assert load(home=in_tmp / "shop").serve.port == 9004


def test_missing_config_file_raises(in_tmp: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml"):
        load(config_file=in_tmp / "nope.toml")


def test_env_overrides_toml(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = in_tmp / "shop"
    _toml(home, "[serve]\nport = 9001\nmax_batch = 7\n")
    monkeypatch.setenv("SHOPMIND_SERVE__PORT", "9100")
    settings = load(home=home)
    assert settings.serve.port == 9100
    assert settings.serve.max_batch == 7  # the rest of the section still comes from the file


def test_env_home(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_home = in_tmp / "env-home"
    _toml(env_home, "[serve]\nport = 9005\n")
    monkeypatch.setenv("SHOPMIND_HOME", str(env_home))
    settings = load()
    assert settings.home == env_home
    assert settings.serve.port == 9005  # the TOML inside $SHOPMIND_HOME is read


def test_home_argument_overrides_env(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_home = in_tmp / "env-home"
    _toml(env_home, "[serve]\nport = 9005\n")
    arg_home = in_tmp / "arg-home"
    _toml(arg_home, "[serve]\nport = 9006\n")
    monkeypatch.setenv("SHOPMIND_HOME", str(env_home))
    settings = load(home=arg_home)
    assert settings.home == arg_home
    assert settings.serve.port == 9006


def test_settings_are_frozen(in_tmp: Path) -> None:
    settings = load()
    with pytest.raises(ValidationError):
        settings.serve.port = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.home = Path("elsewhere")  # type: ignore[misc]
    assert isinstance(settings, Settings)


# -- errors name the key ----------------------------------------------------------------------
def test_unknown_toml_key_names_it_and_lists_allowed(in_tmp: Path) -> None:
    _toml(in_tmp / "h", "[serve]\nprot = 1\n")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    message = str(info.value)
    assert "serve.prot" in message
    assert "port" in message.replace("serve.prot", "")
    assert "max_batch" in message


def test_unknown_top_level_key(in_tmp: Path) -> None:
    _toml(in_tmp / "h", "colour = 'blue'\n")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    assert "colour" in str(info.value)
    assert "serve" in str(info.value)


def test_invalid_value_names_the_key(in_tmp: Path) -> None:
    _toml(in_tmp / "h", "[serve]\nport = 70000\n")
    with pytest.raises(ConfigError, match=r"serve\.port"):
        load(home=in_tmp / "h")


def test_invalid_env_value_names_the_key(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMIND_SERVE__PORT", "not-a-number")
    with pytest.raises(ConfigError, match=r"serve\.port"):
        load(home=in_tmp / "h")


def test_literal_error_lists_allowed_values(in_tmp: Path) -> None:
    _toml(in_tmp / "h", '[serve]\nlog_level = "loud"\n')
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    message = str(info.value)
    assert "serve.log_level" in message
    for level in ("debug", "info", "warning", "error"):
        assert level in message


def test_unknown_env_var(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMIND_BOGUS", "1")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    assert "SHOPMIND_BOGUS" in str(info.value)
    assert "SHOPMIND_HOME" in str(info.value)  # lists the allowed variables


def test_unknown_nested_env_var(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMIND_SERVE__BOGUS", "1")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    assert "SHOPMIND_SERVE__BOGUS" in str(info.value)
    assert "port" in str(info.value)


def test_invalid_toml_syntax(in_tmp: Path) -> None:
    path = _toml(in_tmp / "h", "[serve\nport = = 3\n")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    assert str(path) in str(info.value)
    assert "TOML" in str(info.value)


def test_event_weights_with_unknown_type(in_tmp: Path) -> None:
    _toml(in_tmp / "h", "[events.weights]\nview = 1.0\nteleport = 3.0\n")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")
    message = str(info.value)
    assert "events.weights" in message
    assert "teleport" in message
    for kind in EVENT_TYPES:
        assert kind in message


def test_negative_event_weight(in_tmp: Path) -> None:
    _toml(in_tmp / "h", "[events.weights]\nview = -1.0\n")
    with pytest.raises(ConfigError, match="negative"):
        load(home=in_tmp / "h")


def test_event_weights_from_toml(in_tmp: Path) -> None:
    _toml(in_tmp / "h", "[events.weights]\nview = 0.5\npurchase = 10.0\n")
    weights = load(home=in_tmp / "h").events.weights
    assert weights == {"view": 0.5, "purchase": 10.0}


def test_env_error_says_where_the_value_came_from(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPMIND_SERVE__PORT", "0")
    with pytest.raises(ConfigError) as info:
        load(home=in_tmp / "h")  # no TOML file anywhere
    message = str(info.value)
    assert "serve.port" in message
    assert "SHOPMIND_SERVE__PORT" in message
    assert "from None" not in message  # there is no file to blame


def test_event_weights_from_env(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPMIND_EVENTS__WEIGHTS", '{"view": 2.0, "purchase": 5.0}')
    assert load(home=in_tmp / "h").events.weights == {"view": 2.0, "purchase": 5.0}
