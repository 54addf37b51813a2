"""Where subgraph SDL comes from: the running subgraphs (``{ _service { sdl } }`` with an internal token) or
SDL files (``population.graphql``, ``civil_status.graphql``, ``sentences.graphql`` and, optionally,
``gateway.graphql``) for offline use. Fetched from servers, the set always includes the gateway-local subgraph
(``gateway.local_subgraph``), whose SDL comes from code.

| variable | default | meaning |
|---|---|---|
| ``POPULATION_URL`` / ``CIVIL_STATUS_URL`` / ``SENTENCES_URL`` | ``http://127.0.0.1:400{1,2,3}/graphql`` | where to fetch SDL |
| ``<NAME>_ROUTING_URL`` | the default above | URL written into ``join__Graph`` |

The routing URL written into the supergraph does not follow ``<NAME>_URL``, so that ``schema.graphql`` does not
change with the ports of a test run; the gateway overrides URLs at run time from ``<NAME>_URL`` anyway.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .compose import SubgraphSource


def local_source(env: Mapping[str, str] | None = None) -> SubgraphSource:
    """The gateway-local subgraph (``accessLog``), whose SDL comes from code, not from a server."""
    from gateway.local_subgraph import LOCAL_GRAPH, LOCAL_ROUTING_URL, federation_sdl

    env = os.environ if env is None else env
    return SubgraphSource(LOCAL_GRAPH, env.get("GATEWAY_ROUTING_URL") or LOCAL_ROUTING_URL, federation_sdl())

SUBGRAPHS: dict[str, str] = {
    "population": "http://127.0.0.1:4001/graphql",
    "civil_status": "http://127.0.0.1:4002/graphql",
    "sentences": "http://127.0.0.1:4003/graphql",
}
SDL_QUERY = "{ _service { sdl } }"


class SourceError(Exception):
    """A subgraph's SDL could not be obtained (unreachable, refused, malformed answer, missing file)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    fetch_url: str
    routing_url: str


def endpoints(env: Mapping[str, str] | None = None) -> list[Endpoint]:
    """The three subgraphs with their fetch and routing URLs from ``env``."""
    env = os.environ if env is None else env
    result = []
    for name, default in SUBGRAPHS.items():
        prefix = name.upper()
        result.append(
            Endpoint(name, env.get(f"{prefix}_URL") or default, env.get(f"{prefix}_ROUTING_URL") or default)
        )
    return result


def from_files(directory: Path, env: Mapping[str, str] | None = None) -> list[SubgraphSource]:
    """Read ``<name>.graphql`` for each subgraph from ``directory``."""
    sources = []
    for endpoint in endpoints(env):
        path = directory / f"{endpoint.name}.graphql"
        try:
            sdl = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
        sources.append(SubgraphSource(endpoint.name, endpoint.routing_url, sdl))
    local = directory / "gateway.graphql"  # optional: offline sets written by --dump-sdl include it
    if local.exists():
        routing = local_source(env).url
        sources.append(SubgraphSource("gateway", routing, local.read_text(encoding="utf-8")))
    return sources


def fetch_sdl(url: str, token: str, timeout: float = 10.0) -> str:
    """POST ``{ _service { sdl } }`` to ``url`` with ``Authorization: Bearer <token>``."""
    body = json.dumps({"query": SDL_QUERY}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SourceError(f"{url} is unreachable: {getattr(exc, 'reason', exc)}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{url} did not answer JSON") from exc
    try:
        return str(payload["data"]["_service"]["sdl"])
    except (KeyError, TypeError) as exc:
        raise SourceError(f"{url} did not return _service.sdl: {payload.get('errors') or payload}") from exc


def from_subgraphs(env: Mapping[str, str] | None = None) -> list[SubgraphSource]:
    """Fetch SDL from each running subgraph, minting an internal token per subgraph audience."""
    from gateway.keys import InternalTokenMinter, key_paths, load_or_create_internal_key

    env = dict(os.environ) if env is None else dict(env)
    minter = InternalTokenMinter(load_or_create_internal_key(*key_paths(env)))
    sources = []
    for endpoint in endpoints(env):
        token = minter.mint(endpoint.name, sub="gateway-compose")
        sources.append(SubgraphSource(endpoint.name, endpoint.routing_url, fetch_sdl(endpoint.fetch_url, token)))
    return [*sources, local_source(env)]


def write_files(sources: list[SubgraphSource], directory: Path) -> None:
    """Write each source's SDL to ``directory/<name>.graphql`` (for ``--from-files`` later)."""
    directory.mkdir(parents=True, exist_ok=True)
    for source in sources:
        (directory / f"{source.name}.graphql").write_text(source.sdl, encoding="utf-8")
