"""docker-compose.yml describes the production shape; there is no Docker engine here, so validate it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ENV = {"LT_POSTGRES_PASSWORD": "pw", "LT_PSEUDONYM_KEY": "k", "LT_JWKS_URL": "https://idp/jwks", "LT_JWT_ISSUER": "idp"}


def _config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail("docker-compose is not installed; `.ci/run` installs Debian's docker-compose package")
    return subprocess.run([exe, "config"], cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=60)


def test_compose_file_is_valid_and_production_shaped() -> None:
    result = _config(ENV)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"postgres", "opa", "population", "civil-status", "sentences", "gateway"} <= set(services)
    assert services["opa"]["image"].startswith("openpolicyagent/opa")
    assert "--watch" in services["opa"]["command"]
    gateway_env = services["gateway"]["environment"]
    assert gateway_env["GATEWAY_ENV"] == "production"
    assert gateway_env["GATEWAY_POLICY_ENGINE"] == "opa"
    assert gateway_env["GATEWAY_AUDIT_DATABASE_URL"].startswith("postgresql+asyncpg://")
    # the signed audit's witness lives outside the database, on its own volume; production keys are provisioned
    witness = gateway_env["GATEWAY_AUDIT_WITNESS"].removeprefix("file:")
    assert any(witness.startswith(v.split(":")[1]) for v in services["gateway"]["volumes"]
               if "witness" in v), services["gateway"]["volumes"]
    assert "audit keygen" in " ".join(services["gateway-keys"]["command"])
    assert gateway_env["GATEWAY_REDIS_URL"].startswith("redis://") and "redis" in services
    for name in ("population", "civil-status", "sentences"):
        env = services[name]["environment"]
        assert any(k.endswith("_DATABASE_URL") and v.startswith("postgresql+asyncpg://") for k, v in env.items())
    # the exchange (issue 15): JetStream with its store on a volume, a relay + consumer per subgraph pointed at it
    assert "-js" in services["nats"]["command"] and "natsdata" in config["volumes"]
    for name, module in (("population", "population"), ("civil-status", "civil_status"), ("sentences", "sentences")):
        exchange = services[f"{name}-exchange"]
        assert exchange["command"][-2:] == ["subgraphs.common.exchange", module]
        assert exchange["environment"]["NATS_URL"] == "nats://nats:4222"
        assert exchange["environment"][f"{module.upper()}_DATABASE_URL"] == \
            services[name]["environment"][f"{module.upper()}_DATABASE_URL"]
    # the notifier (docs/EVENTS.md): where the exchange runners are, reading through the gateway, its subscriptions
    # on a volume of their own, /metrics on 4010
    notifier = services["notifier"]
    command = " ".join(notifier["command"])
    assert "python -m subgraphs.common.exchange.notify" in command and "--gateway http://gateway:4000/graphql" in command
    assert "--subscriptions /var/lib/lienthong/notify/subscriptions.json" in command
    assert any(str(v).startswith("notify:/var/lib/lienthong/notify") for v in notifier["volumes"])
    assert notifier["environment"]["NATS_URL"] == "nats://nats:4222"
    assert notifier["environment"]["LT_NOTIFY_PORT"] == "4010" and "notify" in config["volumes"]


def test_compose_refuses_to_start_without_secrets() -> None:
    result = _config({})
    assert result.returncode != 0
    assert "LT_POSTGRES_PASSWORD" in result.stderr
