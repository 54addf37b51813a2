"""Issue 11 (a): every enumerated setting is parsed once, case-insensitively, and unknown values refuse to start."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.auth import Authenticator, AuthSettings
from gateway.config import ConfigError, GatewaySettings
from gateway.policy.engines import make_engine
from gateway.policy.service import PolicyService
from subgraphs.common.settings import SubgraphSettings


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", " production "])
def test_production_in_any_case_is_production_everywhere(tmp_path: Path, spelling: str):
    env = {"GATEWAY_ENV": spelling, "LT_DATA_DIR": str(tmp_path), "GATEWAY_PSEUDONYM_KEY": ""}
    settings = GatewaySettings.from_env(env)
    assert settings.env == "production" and settings.production and not settings.introspection
    assert settings.auth.env == "production" and not settings.auth.may_create_dev_key
    assert settings.raw_env["GATEWAY_ENV"] == "production"  # what policy and audit read
    # production never creates the development key, whatever the spelling (it used to)
    with pytest.raises(RuntimeError, match="GATEWAY_JWKS_URL"):
        Authenticator.from_settings(settings.auth)
    assert not (tmp_path / "keys").exists()
    # and never falls back to the development pseudonym key
    with pytest.raises(RuntimeError, match="GATEWAY_PSEUDONYM_KEY"):
        PolicyService.from_env(env)
    assert AuthSettings.from_env(env).env == "production"
    assert SubgraphSettings.from_env("population", env).env == "production"


@pytest.mark.parametrize("name,value", [
    ("GATEWAY_ENV", "prod"), ("GATEWAY_ENV", "staging"), ("GATEWAY_POLICY_ENGINE", "rego"),
    ("GATEWAY_JWT_LEEWAY", "soon"), ("GATEWAY_JWKS_TTL", "-1"), ("GATEWAY_JWT_MAX_LIFETIME", "0"),
])
def test_unknown_values_refuse_to_start_naming_the_variable(name: str, value: str):
    with pytest.raises(ConfigError, match=name):
        GatewaySettings.from_env({name: value})


def test_subgraphs_refuse_unknown_environment_too():
    with pytest.raises(ConfigError, match="GATEWAY_ENV"):
        SubgraphSettings.from_env("sentences", {"GATEWAY_ENV": "Prod"})
    with pytest.raises(ConfigError, match="SENTENCES_PORT"):
        SubgraphSettings.from_env("sentences", {"SENTENCES_PORT": "x"})


def test_policy_engine_and_allow_all_are_case_insensitive():
    assert GatewaySettings.from_env({"GATEWAY_POLICY_ENGINE": "Embedded"}).policy_engine == "embedded"
    settings = GatewaySettings.from_env({"GATEWAY_POLICY_ENGINE": "Allow-All", "GATEWAY_ENV": "TEST"})
    assert (settings.env, settings.policy_engine) == ("test", "allow-all")
    with pytest.raises(ConfigError, match="allow-all"):
        GatewaySettings.from_env({"GATEWAY_POLICY_ENGINE": "ALLOW-ALL", "GATEWAY_ENV": "Production"})
    assert make_engine({"GATEWAY_POLICY_ENGINE": "ALLOW-ALL", "GATEWAY_ENV": "Test"}).name == "allow-all"
    with pytest.raises(RuntimeError):
        make_engine({"GATEWAY_POLICY_ENGINE": "allow-all", "GATEWAY_ENV": "Production"})


def test_workers():
    assert GatewaySettings.from_env({}).workers == 1
    assert GatewaySettings.from_env({"GATEWAY_WORKERS": "4"}).workers == 4
    with pytest.raises(ConfigError, match="GATEWAY_WORKERS"):
        GatewaySettings.from_env({"GATEWAY_WORKERS": "0"})
