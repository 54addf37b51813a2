"""gateway.supervise without real processes: restarts with exponential backoff, reset after a stable run,
start-up failures reported, everything stopped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gateway.supervise import Backoff, ServiceSpec, Supervisor


class FakeProcess:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.terminated = False

    def poll(self) -> int | None:
        return self.returncode

    def terminate(self) -> None:
        self.terminated = True
        self.returncode = -15

    def kill(self) -> None:
        self.returncode = -9

    def wait(self, timeout: float | None = None) -> int:
        assert self.returncode is not None
        return self.returncode


class World:
    """A fake clock, spawner and health probe."""

    def __init__(self) -> None:
        self.now = 0.0
        self.spawned: list[tuple[str, FakeProcess]] = []
        self.down: set[str] = set()
        self.lines: list[str] = []

    def spawn(self, argv: Sequence[str], env: Mapping[str, str]) -> FakeProcess:
        process = FakeProcess(1000 + len(self.spawned))
        self.spawned.append((argv[-1], process))
        return process

    def probe(self, url: str) -> bool:
        return url not in self.down

    def latest(self, name: str) -> FakeProcess:
        return [p for n, p in self.spawned if n == name][-1]

    def starts(self, name: str) -> int:
        return sum(1 for n, _ in self.spawned if n == name)

    def supervisor(self, backoff: Backoff | None = None) -> Supervisor:
        specs = [ServiceSpec(n, ("python", "-m", n), n) for n in ("population", "sentences", "gateway")]
        return Supervisor(specs, backoff=backoff or Backoff(initial=0.5, factor=2, maximum=4, stable_after=30),
                          spawn=self.spawn, probe=self.probe, clock=lambda: self.now, log=self.lines.append)


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(initial=0.5, factor=2, maximum=4)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]


def test_a_dead_child_is_restarted_after_its_backoff_and_others_are_untouched() -> None:
    world = World()
    sup = world.supervisor()
    for name in ("population", "sentences", "gateway"):
        sup.start(name)
    assert sup.wait_healthy(["population", "sentences", "gateway"], timeout=5, sleep=lambda _: None)
    world.latest("sentences").returncode = -9
    world.now = 1.0
    sup.tick()
    assert sup.services["sentences"].state == "waiting" and world.starts("sentences") == 1
    world.now = 1.4
    sup.tick()
    assert world.starts("sentences") == 1  # 0.5 s have not passed yet
    world.now = 1.6
    sup.tick()
    assert world.starts("sentences") == 2 and sup.services["sentences"].state == "starting"
    sup.tick()
    assert sup.services["sentences"].state == "up"
    assert world.starts("population") == world.starts("gateway") == 1
    assert any("sentences is healthy again" in line for line in world.lines)


def test_a_crash_loop_backs_off_and_a_stable_run_resets_it() -> None:
    world = World()
    sup = world.supervisor()
    sup.start("sentences")
    delays = []
    for _ in range(5):  # it dies at once, every time
        world.latest("sentences").returncode = 1
        sup.tick()
        service = sup.services["sentences"]
        delays.append(service.restart_at - world.now)
        world.now = service.restart_at
        sup.tick()
    assert delays == [0.5, 1, 2, 4, 4]
    world.now += 31  # stays up longer than stable_after
    sup.tick()
    world.latest("sentences").returncode = 1
    sup.tick()
    assert sup.services["sentences"].restart_at - world.now == 0.5


def test_start_up_failure_is_reported_not_retried() -> None:
    world = World()
    sup = world.supervisor()
    sup.start("population")
    world.latest("population").returncode = 3
    assert not sup.wait_healthy(["population"], timeout=5, sleep=lambda _: None)
    assert "population exited with status 3" in world.lines
    world.down.add("sentences")
    sup.start("sentences")
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        world.now += seconds

    assert not sup.wait_healthy(["sentences"], timeout=1, sleep=sleep)
    assert any("sentences did not become healthy" in line for line in world.lines) and slept


def test_stop_all_terminates_every_running_child() -> None:
    world = World()
    sup = world.supervisor()
    for name in ("population", "sentences", "gateway"):
        sup.start(name)
    world.latest("gateway").returncode = 0  # already gone: not signalled
    sup.stop_all()
    assert [p.terminated for _, p in world.spawned] == [True, True, False]
    assert all(s.state == "stopped" for s in sup.services.values())
