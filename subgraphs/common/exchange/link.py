"""The connection to NATS JetStream shared by a process's relay and consumer, and the deployment's stream."""

from __future__ import annotations

import asyncio
import logging
import random

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from subgraphs.common.settings import ExchangeSettings

log = logging.getLogger("lienthong.exchange")
RECONNECT_ATTEMPTS = 2
STREAM_MAX_AGE_S = 30 * 24 * 3600  # a consumer down for a month still finds its events (then: reconciliation)


class Backoff:
    """Exponential backoff with jitter: 0.1 s, 0.2 s, … up to ``maximum``; :meth:`reset` after a success."""

    def __init__(self, maximum: float, initial: float = 0.1) -> None:
        self.maximum, self.initial, self.current = maximum, initial, initial

    def next(self) -> float:
        """The next wait (seconds), doubling up to the maximum, with up to 20 % jitter."""
        wait = min(self.current, self.maximum)
        self.current = min(self.current * 2, self.maximum)
        return wait * (0.8 + 0.4 * random.random())

    def reset(self) -> None:
        self.current = self.initial


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` unless ``stop`` is set first; True when stopping."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


def stream_config(settings: ExchangeSettings) -> StreamConfig:
    """The deployment's stream: every ``<prefix>.>`` subject, on disk, deduplicated by ``Nats-Msg-Id``."""
    return StreamConfig(
        name=settings.stream,
        subjects=[f"{settings.subject_prefix}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=STREAM_MAX_AGE_S,
        duplicate_window=settings.duplicate_window_s,
    )


async def ensure_stream(js: JetStreamContext, settings: ExchangeSettings) -> None:
    """Create the stream if it does not exist (every relay and consumer may; the first one wins)."""
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(stream_config(settings))


class NatsLink:
    """One NATS connection (created on first use, re-created after it closed) and its JetStream context."""

    def __init__(self, settings: ExchangeSettings) -> None:
        self.settings = settings
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def jetstream(self) -> JetStreamContext:
        """The JetStream context; connects (and ensures the stream) when there is no live connection. Raises
        the connection error when NATS is unreachable: the caller backs off and retries."""
        if self._nc is None or self._nc.is_closed or self._js is None:
            async def quiet(exc: Exception) -> None:  # the client's own reconnect errors: one line, not a trace
                log.warning("nats: %s", exc)

            # A few reconnection attempts only: the client retries them on the first connect too, and a client
            # that gave up is closed, so the caller's backoff makes the next one (never an endless inner loop).
            nc = await nats.connect(
                self.settings.nats_url, name=f"lienthong-{self.settings.name}-exchange", connect_timeout=2,
                allow_reconnect=True, max_reconnect_attempts=RECONNECT_ATTEMPTS, reconnect_time_wait=0.5,
                error_cb=quiet,
            )
            try:
                js = nc.jetstream()
                await ensure_stream(js, self.settings)
            except BaseException:
                await nc.close()
                raise
            self._nc, self._js = nc, js
        return self._js

    async def close(self) -> None:
        """Close the connection (acks already sent are flushed first)."""
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            try:
                await nc.flush(timeout=2)
            except Exception:  # closing after an outage: nothing left to flush
                pass
            await nc.close()
