"""A subgraph of a real ``gateway dev`` stack killed under load: the supervisor restarts it with backoff, the
gateway keeps answering (partial data, ``SUBGRAPH_UNAVAILABLE`` at the dead subgraph's paths, no 5xx) and full
data returns after the restart, with no restart of anything else."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from tests.faults.support import OFFENDER_QUERY, DevStack, Load, Sample, first_after, report


def _full(sample: Sample) -> bool:
    person = (sample.data or {}).get("person") or {}
    return sample.status == 200 and bool(person.get("fullName")) and bool(person.get("sentences")) \
        and "SUBGRAPH_UNAVAILABLE" not in sample.codes


def _partial(sample: Sample) -> bool:
    person = (sample.data or {}).get("person") or {}
    return sample.status == 200 and bool(person.get("fullName")) and person.get("sentences") is None \
        and "SUBGRAPH_UNAVAILABLE" in sample.codes


async def test_killed_subgraph_is_restarted_while_the_gateway_serves_partial_data(dev: DevStack) -> None:
    offender = dev.adult_offender()
    headers = dev.headers()
    body = {"query": OFFENDER_QUERY, "variables": {"id": offender}}
    load = Load(dev.url, lambda i: (body, headers, None), concurrency=6)
    victim = dev.pid_of("sentences")
    starts_before = {name: dev.starts_of(name) for name in ("population", "civil_status", "gateway")}
    killed_at: list[float] = []

    async def fault() -> None:
        await asyncio.sleep(1.5)  # some full answers first
        killed_at.append(time.monotonic())
        os.kill(victim, signal.SIGKILL)  # a child of the dev supervisor this test started
        # Recovered: a full answer that started after the kill and after a partial one.
        while time.monotonic() - killed_at[0] < 20:  # a restart on busy shared cores can take several seconds
            await asyncio.sleep(0.1)
            partial = first_after(load.samples, killed_at[0], _partial)
            if partial and first_after(load.samples, partial.start, _full):
                await asyncio.sleep(0.5)  # and a little more full traffic after it
                break
        load.stop()

    await asyncio.gather(load.run(limit_s=25), fault())
    t_kill = killed_at[0]
    partial = first_after(load.samples, t_kill, _partial)
    assert partial is not None, f"no partial answer while sentences was down:\n{dev.log_text()[-2000:]}"
    recovered = first_after(load.samples, partial.start, _full)
    assert recovered is not None, f"no full answer after the restart:\n{dev.log_text()[-2000:]}"
    before = [s for s in load.samples if s.end < t_kill]
    assert before and all(_full(s) for s in before), [s.body for s in before if not _full(s)][:2]
    odd = [s for s in load.samples if not (_full(s) or _partial(s))]
    assert not odd, [(s.status, s.body) for s in odd[:3]]  # every answer is full or partial, never an error
    assert not load.five_xx and not load.errors, (load.errors[:3], [s.body for s in load.five_xx[:3]])
    for s in load.samples:  # the down subgraph is named, never where it listens
        if _partial(s):
            for error in s.body["errors"]:
                assert error["extensions"].get("serviceName") == "sentences", error
                assert error["path"] == ["person", "sentences"], error
                text = str(error)
                assert "127.0.0.1" not in text and dev.env["SENTENCES_PORT"] not in text, error
    assert dev.pid_of("sentences") != victim and dev.starts_of("sentences") >= 2
    assert {name: dev.starts_of(name) for name in starts_before} == starts_before  # nothing else restarted
    assert "sentences exited with status -9; restarting in" in dev.log_text()
    partials = sum(1 for s in load.samples if _partial(s))
    report("subgraph-kill", requests=len(load.samples), five_xx=len(load.five_xx), partial=partials,
           full=len(load.samples) - partials, transport_errors=len(load.errors),
           first_partial_s=partial.end - t_kill, recovery_s=recovered.end - t_kill)


async def test_killed_gateway_is_restarted_too(dev: DevStack) -> None:
    """The gateway child is supervised like the subgraphs: killed, it answers again after its restart."""
    import httpx

    from tests.faults.support import poll

    victim = dev.pid_of("gateway")
    starts = dev.starts_of("gateway")
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    body = {"query": OFFENDER_QUERY, "variables": {"id": dev.adult_offender()}}
    async with httpx.AsyncClient(timeout=5) as client:
        async def answers() -> bool:
            try:
                response = await client.post(dev.url, json=body, headers=dev.headers())
            except httpx.HTTPError:
                return False
            return response.status_code == 200 and bool(response.json()["data"]["person"]["sentences"])

        await poll(lambda: dev.starts_of("gateway") > starts, 10)
        up = False
        for _ in range(150):
            if await answers():
                up = True
                break
            await asyncio.sleep(0.1)
    assert up, dev.log_text()[-2000:]
    assert dev.pid_of("gateway") != victim and "gateway exited with status -9; restarting in" in dev.log_text()
    report("gateway-kill", recovery_s=time.monotonic() - killed_at, restarts=dev.starts_of("gateway") - starts)
