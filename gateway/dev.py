"""``python -m gateway dev`` (what ``make run`` runs): a whole local federation in one command.

Creates the internal keys if absent, seeds demo data if absent, starts the three subgraphs and the gateway as
child processes, waits for their ``/healthz``, prints where everything listens, the GraphiQL URL and ready-made
dev tokens, and stops every child cleanly on Ctrl-C / SIGTERM. A child that dies is restarted with backoff while
the others keep running (``gateway.supervise``): with a subgraph down the gateway answers with the data of the
others and ``SUBGRAPH_UNAVAILABLE`` at the paths of the missing one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType

from subgraphs.common.serve import workers as subgraph_workers

from .config import CANONICAL, ConfigError, GatewaySettings
from .grants.demo import demo_legal_basis, seed_demo_grants
from .keys import key_paths, load_or_create_internal_key
from .supervise import ServiceSpec, Supervisor

SUBGRAPHS = (("population", 4001), ("civil_status", 4002), ("sentences", 4003))
# (agency id, account, purpose, legal basis) shown ready to paste into GraphiQL; the court and the procuracy name
# their demo grant of the registry (gateway.grants.demo: registered below if absent, Hà Nội residents).
DEMO_TOKENS = (
    ("tand-ha-noi", "tham-phan-01", "criminal_proceedings", demo_legal_basis("tand-ha-noi")),
    ("vksnd-ha-noi", "kiem-sat-vien-01", "enforcement_supervision", demo_legal_basis("vksnd-ha-noi")),
    ("stp-ha-noi", "chuyen-vien-ho-tich-01", "civil_status_extract", None),
    ("cuc-thong-ke", "thong-ke-vien-01", "statistics", None),
)
HEALTH_TIMEOUT_S = 90


@dataclass(frozen=True)
class Child:
    """A child as the banner shows it: its name and base URL."""

    name: str
    url: str


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _tokens(settings: GatewaySettings) -> list[tuple[str, str, dict[str, str]]]:
    """(agency, account, ready-made headers) for each demo caller, minted with the local dev key."""
    from .auth import mint_dev_token

    out = []
    for agency, account, purpose, legal_basis in DEMO_TOKENS:
        headers = {"Authorization": f"Bearer {mint_dev_token(agency, account, settings=settings.auth)}",
                   "X-Purpose": purpose}
        if legal_basis:
            headers["X-Legal-Basis"] = legal_basis
        out.append((agency, account, headers))
    return out


def main(people: int = 2000, skip_seed: bool = False) -> int:
    """Run the local federation until interrupted; returns the exit status."""
    env = dict(os.environ)
    env.setdefault("GATEWAY_ENV", "development")
    env.setdefault("PYTHONUNBUFFERED", "1")
    try:
        settings = GatewaySettings.from_env(env)
    except ConfigError as exc:
        print(f"dev: {exc}", file=sys.stderr)
        return 2
    try:  # worker counts (GATEWAY_WORKERS, <NAME>_WORKERS / SUBGRAPH_WORKERS) reach the children through env
        workers = {name: subgraph_workers(name, env) for name, _ in SUBGRAPHS} | {"gateway": settings.workers}
    except ValueError as exc:
        print(f"dev: {exc}", file=sys.stderr)
        return 2
    # Children inherit the canonical values (``Production`` → ``production``), parsed once here.
    env.update({name: settings.raw_env[name] for name in CANONICAL})
    private, public = key_paths(env)
    load_or_create_internal_key(private, public)
    print(f"dev: internal keys in {private.parent}")

    if not skip_seed:
        if _module_exists("subgraphs.seed.__main__"):
            print(f"dev: seeding demo data ({people} people) if absent…", flush=True)
            seeded = subprocess.run([sys.executable, "-m", "subgraphs.seed", "--people", str(people), "--if-absent"],
                                    env=env, check=False)
            if seeded.returncode != 0:
                print("dev: seeding failed", file=sys.stderr)
                return 1
        else:
            print("dev: subgraphs.seed is not available yet: no demo data seeded")
        try:  # the demo court's and procuracy's grants (their tokens below name them in X-Legal-Basis)
            for grant_id in seed_demo_grants(env):
                print(f"dev: registered demo grant {grant_id}")
        except Exception as exc:  # the federation still starts; CRIMINAL data is then withheld from the demo court
            print(f"dev: demo grants not registered: {exc}", file=sys.stderr)
    if not settings.supergraph_path.exists():
        print(f"dev: {settings.supergraph_path} missing, composing it…", flush=True)
        subprocess.run([sys.executable, "-m", "gateway", "compose"], env=env, check=False)

    children: list[Child] = []
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    specs: list[ServiceSpec] = []
    for name, default_port in SUBGRAPHS:
        if not _module_exists(f"subgraphs.{name}.__main__"):
            print(f"dev: subgraphs.{name} is not available yet: not started")
            continue
        prefix = name.upper()
        host = env.get(f"{prefix}_HOST", "127.0.0.1")
        port = int(env.get(f"{prefix}_PORT", default_port))
        env.setdefault(f"{prefix}_URL", f"http://{host}:{port}/graphql")
        specs.append(ServiceSpec(name, (sys.executable, "-m", f"subgraphs.{name}"), f"http://{host}:{port}/healthz",
                                 env))
        children.append(Child(name, f"http://{host}:{port}"))
    exchanges = _exchange_specs(env, [spec.name for spec in specs])
    base = f"http://{settings.host}:{settings.port}"
    exchanges.extend(_notifier_spec(env, settings, base, [spec.name for spec in exchanges]))
    supervisor = Supervisor([*specs, *exchanges, ServiceSpec("gateway", (sys.executable, "-m", "gateway", "serve"),
                                                             f"{base}/healthz", env)])
    try:
        for spec in specs:
            supervisor.start(spec.name)
        # At start-up a child that cannot come up is an error (wrong port, broken database): say so and stop.
        if not supervisor.wait_healthy([spec.name for spec in specs], HEALTH_TIMEOUT_S):
            return 1
        # The exchange processes (relay + consumer, docs/EVENTS.md) once their subgraph has migrated its database;
        # healthy without NATS too: the outbox then waits and the relay retries.
        for spec in exchanges:
            supervisor.start(spec.name)
        supervisor.start("gateway")  # alongside: the gateway does not need them
        children.append(Child("gateway", base))
        if not supervisor.wait_healthy([spec.name for spec in exchanges], HEALTH_TIMEOUT_S):
            return 1
        for spec in exchanges:
            what = "notifications of enforcement changes" if spec.name == "notifier" else "relay and consumer"
            print(f"dev: {spec.name} ({what}, NATS {env.get('NATS_URL', 'nats://127.0.0.1:4222')}): "
                  f"{spec.health_url.removesuffix('/healthz')}/metrics")
        if not supervisor.wait_healthy(["gateway"], HEALTH_TIMEOUT_S):
            return 1
        _banner(children, base, settings, workers)
        while not stopping:
            supervisor.tick()  # from here on a child that dies is restarted, the others keep serving
            time.sleep(0.2)
        print("\ndev: stopping…")
        return 0
    finally:
        supervisor.stop_all()


def _port_free(host: str, port: int) -> int:
    """``port`` (or, for 0, a port the system picks) if it can be bound on ``host`` now, else 0."""
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return 0
        return int(sock.getsockname()[1])


def _exchange_specs(env: dict[str, str], started: list[str]) -> list[ServiceSpec]:
    """``python -m subgraphs.common.exchange <name>`` for each started subgraph with a ``subgraphs.<name>.exchange``
    module, on ``<NAME>_EXCHANGE_PORT`` (subgraphs.common.settings.ExchangeSettings)."""
    import hashlib

    from subgraphs.common.settings import ExchangeSettings, data_dir

    # One stream per local deployment (its data directory): two `gateway dev` on one machine (a developer's and a
    # test's) share the NATS server but never each other's events (durable consumers are named after the subgraph).
    digest = hashlib.sha256(str(data_dir(env).resolve()).encode()).hexdigest()[:10]
    env.setdefault("LT_EXCHANGE_STREAM", f"LIENTHONG_DEV_{digest}")
    env.setdefault("LT_EXCHANGE_SUBJECTS", f"lienthong_dev_{digest}")
    out = []
    for name in started:
        if _module_exists(f"subgraphs.{name}.exchange"):
            ex = ExchangeSettings.from_env(name, env)
            if not env.get(f"{name.upper()}_EXCHANGE_PORT") and not _port_free(ex.host, ex.port):
                # the default (the subgraph's port + 10) is taken, e.g. by a test stack on free ports: any free one
                env[f"{name.upper()}_EXCHANGE_PORT"] = str(_port_free(ex.host, 0))
                ex = ExchangeSettings.from_env(name, env)
            out.append(ServiceSpec(f"{name}-exchange", (sys.executable, "-m", "subgraphs.common.exchange", name),
                                   f"http://{ex.host}:{ex.port}/healthz", env))
    return out


def _notifier_spec(env: dict[str, str], settings: GatewaySettings, base: str,
                   exchanges: list[str]) -> list[ServiceSpec]:
    """The notifier (docs/EVENTS.md) beside the sentences exchange, on ``LT_NOTIFY_PORT`` (the gateway's + 10),
    reading through the gateway at ``base``; the demo procuracy (enforcement supervision, its demo grant)
    subscribes with a dev token written under the data directory, unless ``LT_NOTIFY_SUBSCRIPTIONS`` names a
    file of the operator's."""
    from subgraphs.common.exchange.notify_server import NotifyAddress, write_subscriptions
    from subgraphs.common.settings import data_dir

    from .auth import mint_dev_token

    if "sentences-exchange" not in exchanges:
        return []
    address = NotifyAddress.from_env(env)
    if not env.get("LT_NOTIFY_PORT") and not _port_free(address.host, address.port):
        env["LT_NOTIFY_PORT"] = str(_port_free(address.host, 0))  # taken (a test stack): any free one
        address = NotifyAddress.from_env(env)
    subscriptions = env.get("LT_NOTIFY_SUBSCRIPTIONS") or str(write_subscriptions(data_dir(env) / "notify", [
        (agency, purpose, legal_basis, mint_dev_token(agency, account, settings=settings.auth))
        for agency, account, purpose, legal_basis in DEMO_TOKENS if purpose == "enforcement_supervision"]))
    argv = (sys.executable, "-m", "subgraphs.common.exchange.notify", "--subscriptions", subscriptions,
            "--gateway", f"{base}/graphql")
    return [ServiceSpec("notifier", argv, address.health_url, env)]


def _banner(children: list[Child], base: str, settings: GatewaySettings, workers: dict[str, int]) -> None:
    def processes(name: str) -> str:
        return f"  [{workers[name]} workers]" if workers.get(name, 1) > 1 else ""

    print("\nLiên thông is running:")
    for child in children[:-1]:
        print(f"  {child.name:<13} {child.url}/graphql{processes(child.name)}")
    print(f"  {'gateway':<13} {base}/graphql   (metrics {base}/metrics, readiness {base}/readyz)"
          f"{processes('gateway')}")
    print(f"\nGraphiQL: open {base}/graphql in a browser and paste a token into the Authorization header.")
    print("\nDev tokens (8 h) for a court, a procuracy, a provincial justice department and a statistics office;")
    print("paste one set of headers into GraphiQL's header editor:")
    for agency, account, headers in _tokens(settings):
        print(f"  {agency} / {account}:\n    {json.dumps(headers, ensure_ascii=False)}")
    print("\nMore: python -m gateway token --agency ID --sub ACCOUNT  (agencies: policies/data/agencies.json);")
    print("      python -m gateway token --role data_subject --sub <personalId>  (own record, accessLog, requests,")
    print("        consents: no X-Purpose);  python -m gateway token --role dpo --sub dpo-1  (resolves requests)")
    print("\nCtrl-C stops everything.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
