"""Notifications of enforcement changes to the agencies that subscribed (000 Art. 8.5.d; docs/EVENTS.md, "Design:
notifying a court system"): every ``sentences.enforcement_recorded`` event is read back **through the gateway**, as
each subscribing agency, for the purpose and legal basis of its subscription, so the read policy decides what the
agency receives (the same verdict as any query of the same sentence: path invariance) and the gateway audits the
read like any other. What the agency may see is published to its own subject ``<prefix>.notify.<agency id>`` (a
JetStream consumer of the agency reads it); an agency that may see nothing of the sentence gets nothing.

Fail closed: a gateway that cannot answer (policy or audit unavailable, 5xx, unreachable) leaves the event
unacknowledged, redelivered later; nothing leaves unaudited. A notification's message id is
``<event id>:<agency>``: a redelivered event is not notified twice within the stream's duplicate window.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from subgraphs.common.outbox import topics
from subgraphs.common.settings import ExchangeSettings

from . import RejectedEvent
from .consumer import decode
from .link import Backoff, NatsLink, wait_or_stop

log = logging.getLogger("lienthong.exchange.notify")
RETRY_DELAY_S = 5.0
NOTICE = """query EnforcementNotice($id: ID!) {
  sentence(id: $id) { id status provinceCode person { personalId }
    enforcementEvents { kind date decisionNumber authority } } }"""
# (query, variables, headers) -> the gateway's JSON answer; raises when it cannot answer
GatewayFetch = Callable[[str, dict[str, Any], dict[str, str]], Awaitable[dict[str, Any]]]


class GatewayUnavailable(RuntimeError):
    """The gateway did not give an answer the notifier may act on (retried later, nothing sent)."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """An agency that asked to be notified, with the purpose (and legal basis) its reads declare and a source of
    its service token (its own credential: the notifier holds no power the agency lacks)."""

    agency: str
    purpose: str
    token: Callable[[], str]
    legal_basis: str | None = None

    def headers(self) -> dict[str, str]:
        out = {"authorization": f"Bearer {self.token()}", "x-purpose": self.purpose}
        if self.legal_basis:
            out["x-legal-basis"] = self.legal_basis
        return out


def _released(value: Any) -> bool:
    """Whether an answer holds anything but nulls and empty lists (what a fully withheld object looks like)."""
    if isinstance(value, dict):
        return any(_released(v) for k, v in value.items() if k != "id")
    if isinstance(value, list):
        return any(_released(v) for v in value)
    return value is not None


class Notifier:
    """Consumes enforcement events and notifies each subscription with what the read policy releases to it."""

    def __init__(self, settings: ExchangeSettings, subscriptions: Sequence[Subscription], fetch: GatewayFetch,
                 name: str = "notifier") -> None:
        self.settings, self.subscriptions, self.fetch, self.name = settings, list(subscriptions), fetch, name
        self.metrics: Any = None  # notify_server.NotifyMetrics when served as a process

    def subject(self, agency: str) -> str:
        return f"{self.settings.subject_prefix}.notify.{agency}"

    async def notices(self, sentence_id: str) -> list[tuple[Subscription, dict[str, Any]]]:
        """What each subscription may see of the sentence (subscriptions that may see nothing left out)."""
        out = []
        for sub in self.subscriptions:
            answer = await self.fetch(NOTICE, {"id": sentence_id}, sub.headers())
            errors = answer.get("errors") or []
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            if "data" not in answer or codes & {"POLICY_UNAVAILABLE", "AUDIT_UNAVAILABLE", "SUBGRAPH_UNAVAILABLE"}:
                raise GatewayUnavailable(f"{sub.agency}: {sorted(c for c in codes if c)}")
            sentence = (answer.get("data") or {}).get("sentence")
            if _released(sentence):
                withheld = sorted(".".join(str(p) for p in e.get("path") or []) for e in errors
                                  if (e.get("extensions") or {}).get("code") == "FORBIDDEN_FIELD")
                out.append((sub, {"sentence": sentence, "withheld": withheld}))
        return out

    async def handle(self, js: JetStreamContext, msg: Msg) -> str:
        """Notify one event's subscribers; ``sent``, ``nobody``, ``ignored``, ``rejected`` or ``retried``."""
        try:
            event = decode(msg.data)
        except RejectedEvent:
            await msg.term()
            return "rejected"
        if event.topic != topics.ENFORCEMENT_RECORDED:
            await msg.ack()
            return "ignored"
        try:
            notices = await self.notices(str(event.payload.get("sentenceId") or event.key))
            for sub, notice in notices:
                body = orjson.dumps({"eventId": event.id, "topic": event.topic, "createdAt": event.created_at
                                     .isoformat(), "kind": event.payload.get("kind"), **notice})
                await js.publish(self.subject(sub.agency), body, stream=self.settings.stream,
                                 headers={"Nats-Msg-Id": f"{event.id}:{sub.agency}"})
                if self.metrics is not None:
                    self.metrics.sent.labels(sub.agency).inc()
        except Exception as exc:  # the gateway or NATS away: nothing acknowledged, retried later
            log.warning("notifier: event %s: %s: retrying", event.id, exc)
            await msg.nak(delay=RETRY_DELAY_S)
            return "retried"
        await msg.ack()
        return "sent" if notices else "nobody"

    async def run(self, link: NatsLink, stop: asyncio.Event) -> None:
        """Consume ``<prefix>.sentences.>`` with the durable consumer ``name`` until ``stop`` is set."""
        backoff = Backoff(self.settings.max_backoff_s)
        subscription = None
        while not stop.is_set():
            try:
                js = await link.jetstream()
                if subscription is None:
                    subject = f"{self.settings.subject_prefix}.sentences.>"
                    subscription = await js.pull_subscribe(subject, durable=self.name, stream=self.settings.stream,
                                                           config=ConsumerConfig(
                                                               durable_name=self.name, ack_policy=AckPolicy.EXPLICIT,
                                                               deliver_policy=DeliverPolicy.ALL, filter_subject=subject,
                                                               ack_wait=float(self.settings.ack_wait_s)))
                try:
                    messages = await subscription.fetch(1, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    continue
                backoff.reset()
                for msg in messages:
                    outcome = await self.handle(js, msg)
                    if self.metrics is not None:
                        self.metrics.events.labels(outcome).inc()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                subscription = None
                delay = backoff.next()
                log.warning("notifier: %s: retrying in %.1f s", exc, delay)
                await wait_or_stop(stop, delay)


def load_subscriptions(path: Path) -> list[Subscription]:
    """``[{"agency", "purpose", "legalBasis"?, "tokenFile"}]``: each token file holds the agency's service token
    (re-read on every use: tokens rotate)."""
    entries = orjson.loads(path.read_bytes())
    if not isinstance(entries, list):
        raise ValueError(f"{path}: a JSON list of subscriptions")
    out = []
    for entry in entries:
        token_file = Path(entry["tokenFile"])
        out.append(Subscription(str(entry["agency"]), str(entry["purpose"]),
                                lambda f=token_file: f.read_text().strip(), entry.get("legalBasis")))
    return out


def http_fetch(url: str) -> GatewayFetch:
    """A :data:`GatewayFetch` posting to the gateway at ``url`` (aiohttp); 5xx or no JSON: GatewayUnavailable."""
    import aiohttp

    async def fetch(query: str, variables: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.post(
                url, json={"query": query, "variables": variables, "operationName": "EnforcementNotice"},
                headers=headers, timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status >= 500:
                raise GatewayUnavailable(f"gateway answered {response.status}")
            return await response.json()

    return fetch


def main(argv: list[str] | None = None) -> int:
    """``python -m subgraphs.common.exchange.notify --subscriptions FILE [--gateway URL]``: notify the
    subscriptions of FILE (above) of the enforcement events of the deployment's stream (``ExchangeSettings``),
    serving ``/healthz`` and ``/metrics`` on ``LT_NOTIFY_HOST``:``LT_NOTIFY_PORT`` (``notify_server``).
    Arguments, not environment: which agencies subscribe is an operator's decision made where it is started."""
    import argparse
    import os

    import uvicorn

    from subgraphs.common.settings import ConfigError

    from .notify_server import NotifyAddress, create_app

    parser = argparse.ArgumentParser(prog="python -m subgraphs.common.exchange.notify")
    parser.add_argument("--subscriptions", type=Path, required=True, help="JSON list of subscriptions")
    parser.add_argument("--gateway", default="http://127.0.0.1:4000/graphql", help="the gateway's /graphql")
    args = parser.parse_args(argv)
    try:
        settings = ExchangeSettings.from_env("sentences")
        address = NotifyAddress.from_env(os.environ)
        subscriptions = load_subscriptions(args.subscriptions)
    except (ConfigError, ValueError, KeyError, OSError) as exc:
        print(f"notifier: {exc}", file=sys.stderr)
        return 2
    notifier = Notifier(settings, subscriptions, http_fetch(args.gateway))
    uvicorn.run(create_app(notifier), host=address.host, port=address.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
