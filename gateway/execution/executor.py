"""Run a query plan: call subgraphs, merge their answers into one raw tree, then complete it.

Entity fetches collect every object at their path (across lists, any depth), build one representation per
object, drop duplicates, and send them in ONE ``_entities`` call; the answers are merged back into every object
that produced the representation. Subgraph errors get client paths; an unreachable subgraph yields
``SUBGRAPH_UNAVAILABLE`` at the paths of the fields it should have provided, and the rest of the data returns.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLSchema, OperationDefinitionNode, SelectionSetNode, execute
from opentelemetry.trace import SpanKind

from subgraphs.common.telemetry import Telemetry, fail
from subgraphs.common.writes import WRITES_EXTENSION

from ..errors import GatewayError, error_dict
from ..planning.keys import client_key, client_path
from ..planning.plan import (
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)
from ..planning.shape import ObjectShape
from ..supergraph.documents import ParsedOperation
from .budget import RowBudget
from .completion import complete
from .entities import collect, merge
from .errors import client_error
from .reuse import reuse_index
from .transport import FetchContext, SubgraphFailure, Transport
from .tree import (
    context_value,
    deep_merge,
    objects_at,
    objects_in,
    objects_in_all,
    paths_of,
)

log = logging.getLogger("lienthong.gateway.execution")

MAX_UNAVAILABLE_ERRORS = 100  # per fetch: enough to locate the gap without flooding the response
DEFAULT_MAX_ROWS = 50_000  # GatewaySettings.max_rows (GATEWAY_MAX_ROWS)

FetchObserver = Callable[[str, str, float], None]  # (subgraph, outcome, seconds)


@dataclass(frozen=True, slots=True)
class Fetched:
    """The merged subgraph answers of one plan, not yet completed: ``data`` in subgraph response keys (internal
    aliases included), ``errors`` with client paths, and the ``shape`` that completes ``data`` (the policy stage
    completes it in the same walk as its own: ``gateway.policy.respond``)."""

    data: dict[str, Any]
    errors: list[dict[str, Any]]
    shape: ObjectShape


@dataclass(slots=True)
class _Run:
    variables: dict[str, Any]
    ctx: FetchContext
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    budget: RowBudget = field(default_factory=lambda: RowBudget(DEFAULT_MAX_ROWS))  # objects received so far
    over_budget: GatewayError | None = None


class Executor:
    """Executes plans against ``transports`` (one per subgraph name)."""

    def __init__(self, api_schema: GraphQLSchema, transports: dict[str, Transport],
                 observe: FetchObserver | None = None, max_rows: int = DEFAULT_MAX_ROWS,
                 telemetry: Telemetry | None = None) -> None:
        self.api_schema = api_schema
        self.transports = transports
        self.observe = observe
        self.max_rows = max_rows
        self.tracer = (telemetry or Telemetry.off()).tracer  # None: no fetch spans

    async def execute(self, plan: QueryPlan, operation: ParsedOperation, variables: dict[str, Any],
                      ctx: FetchContext) -> dict[str, Any]:
        """``{"data": ..., "errors": [...]}`` shaped by ``operation`` (errors omitted when none); raises
        ``QUERY_TOO_COMPLEX`` (no data) once the subgraphs returned more than ``max_rows`` objects."""
        fetched = await self.fetch(plan, operation, variables, ctx)
        data, completion_errors, invalid = complete(fetched.shape, fetched.data)
        # Like Apollo Gateway: nulls caused by a subgraph error are explained by that error already.
        errors = fetched.errors or completion_errors
        out: dict[str, Any] = {"data": data}
        if errors:
            out["errors"] = errors
        if invalid:
            out["extensions"] = {"valueCompletion": invalid}
        return out

    async def fetch(self, plan: QueryPlan, operation: ParsedOperation, variables: dict[str, Any],
                    ctx: FetchContext) -> Fetched:
        """Run ``plan``'s fetches and merge the answers, without completing them (see :meth:`execute`)."""
        run = _Run(variables, ctx, budget=RowBudget(self.max_rows))
        if plan.node is not None:
            await self._run(plan.node, run)
        if run.over_budget is not None:
            raise run.over_budget
        if plan.introspection:
            run.data.update(self._introspect(operation, variables))
        return Fetched(run.data, run.errors, plan.shape)

    async def _run(self, node: PlanNode, run: _Run) -> None:
        if isinstance(node, FetchNode):
            await self._fetch_root(node, run)
        elif isinstance(node, FlattenNode):
            await self._fetch_entities(node, run)
        elif isinstance(node, SequenceNode):
            for child in node.nodes:
                await self._run(child, run)
        elif isinstance(node, ParallelNode):
            # Let every branch finish (none starts a new fetch once over budget), then fail with the first error.
            # Sibling entity fetches that differ only by their path (the same operation to the same subgraph, e.g.
            # the policy's subject facts of each person field of an event) go as ONE _entities call.
            branches = [self._run(child, run) if not isinstance(child, list) else self._fetch_merged(child, run)
                        for child in _merge_siblings(node.nodes)]
            outcomes = await asyncio.gather(*branches, return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome

    def _received(self, run: _Run, over: bool) -> None:
        """After counting objects against the row budget (``budget.py``): ``over`` the limit stops the request."""
        if over and run.over_budget is None:
            run.over_budget = GatewayError(
                "QUERY_TOO_COMPLEX",
                f"The operation returned more than {self.max_rows} objects from the subgraphs (the row budget); "
                "ask for fewer.",
                extensions={"maxRows": self.max_rows},
            )

    async def _send(self, fetch: FetchNode, variables: dict[str, Any], run: _Run) -> dict[str, Any]:
        if run.over_budget is not None:  # stop: no further subgraph call for this request
            raise run.over_budget
        if self.tracer is None:
            return await self._call(fetch, variables, run)
        # One span per subgraph call; the transport sends its traceparent. Subgraph and counts, never the
        # operation text (a client's literal arguments are inlined in it) nor the variables.
        representations = variables.get("representations")
        with self.tracer.start_as_current_span(
                f"fetch {fetch.service}", kind=SpanKind.CLIENT, record_exception=False,
                set_status_on_exception=False, attributes={
                    "lienthong.subgraph": fetch.service,
                    "lienthong.fetch.entities": len(representations) if isinstance(representations, list) else 0,
                }) as span:
            try:
                result = await self._call(fetch, variables, run)
            except SubgraphFailure:
                fail(span, "SUBGRAPH_UNAVAILABLE")
                raise
            span.set_attribute("lienthong.fetch.errors", len(_errors(result)))
            return result

    async def _call(self, fetch: FetchNode, variables: dict[str, Any], run: _Run) -> dict[str, Any]:
        transport = self.transports.get(fetch.service)
        started = time.perf_counter()
        try:
            if transport is None:
                raise SubgraphFailure("no transport configured", delivered=False)
            result = await transport.send(fetch.operation, variables, run.ctx)
        except SubgraphFailure:
            if self.observe:
                self.observe(fetch.service, "failure", time.perf_counter() - started)
            raise
        if self.observe:
            self.observe(fetch.service, "errors" if result.get("errors") else "ok", time.perf_counter() - started)
        return result

    def _variables(self, fetch: FetchNode, run: _Run) -> dict[str, Any]:
        return {name: run.variables[name] for name in fetch.variable_usages if name in run.variables}

    async def _fetch_root(self, fetch: FetchNode, run: _Run) -> None:
        try:
            result = await self._send(fetch, self._variables(fetch, run), run)
        except SubgraphFailure as exc:
            run.errors.extend(_unavailable(fetch, exc, [[key] for key in fetch.client_keys]))
            if not exc.delivered:  # a mutation there certainly wrote nothing (gateway.writes)
                run.ctx.undelivered.extend(client_key(key) for key in fetch.client_keys)
            return
        data = result.get("data")
        if isinstance(data, dict):
            self._received(run, run.budget.answer(result, data, root=True))  # before merging: its own objects
            deep_merge(run.data, data)
        for error in _errors(result):
            run.errors.append(_client_error(error, fetch.service, error.get("path")))
        _collect_writes(result, run)

    async def _fetch_merged(self, nodes: list[FlattenNode], run: _Run) -> None:
        """One ``_entities`` call for the objects at every path of ``nodes`` (same fetch but for the path)."""
        paths = tuple(n.path for n in nodes)
        found: list[tuple[dict[str, Any], list[Any] | None]] = [(obj, None) for obj in objects_in_all(run.data, paths)]
        await self._send_entities(nodes[0].node, found, {}, run, paths)

    async def _fetch_entities(self, node: FlattenNode, run: _Run) -> None:
        fetch = node.node
        if not fetch.contexts:
            # the objects' paths are needed only for errors: _send_entities finds them then (paths_of)
            await self._send_entities(fetch, [(obj, None) for obj in objects_in(run.data, node.path)], {}, run,
                                      (node.path,))
            return
        found: list[tuple[dict[str, Any], list[Any] | None]] = []
        objects_at(run.data, node.path, 0, [], found)  # type: ignore[arg-type]
        # @fromContext: each object's arguments come from its own ancestor, so one call per distinct value
        buckets: dict[bytes, tuple[dict[str, Any], list[tuple[dict[str, Any], list[Any]]]]] = {}
        for obj, where in found:
            values = {c.variable: context_value(run.data, where, c.depth, c.path) for c in fetch.contexts}
            marker = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
            buckets.setdefault(marker, (values, []))[1].append((obj, where))
        await asyncio.gather(*(self._send_entities(fetch, objects, values, run)
                               for values, objects in buckets.values()))

    async def _send_entities(self, fetch: FetchNode, found: list[tuple[dict[str, Any], list[Any] | None]],
                             extra: dict[str, Any], run: _Run, at: tuple[tuple[str, ...], ...] = ()) -> None:
        """One ``_entities`` call for the objects ``found`` (duplicates sent once), merged back into them; an object
        found without its path (None) is at one of the paths ``at`` in the data."""
        # answers an earlier fetch of this request already brought (planning/reuse.py): not asked again
        known = reuse_index(fetch.reuse, run.data, objects_in) if fetch.reuse else None
        representations, targets, copied = collect(fetch, found, known)
        if copied:
            self._received(run, run.budget.add(copied))
        if not representations:
            return
        variables = self._variables(fetch, run)
        variables.update(extra)
        variables["representations"] = representations
        located: dict[int, list[Any]] | None = None

        def where_of(obj: dict[str, Any], where: list[Any] | None) -> list[Any]:
            nonlocal located
            if where is not None:
                return where
            if located is None:  # an error to locate: find the objects' paths once
                located = {}
                for path in reversed(at):  # an object at several paths: the first path names it
                    located.update(paths_of(run.data, path))
            return located.get(id(obj), [])

        try:
            result = await self._send(fetch, variables, run)
        except SubgraphFailure as exc:
            paths = [[*where_of(obj, where), key] for group in targets for obj, where in group
                     for key in fetch.client_keys]
            run.errors.extend(_unavailable(fetch, exc, paths))
            return
        data = result.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        if isinstance(entities, list):
            self._received(run, run.budget.answer(result, entities, root=False))
            merge(entities, targets)
        for error in _errors(result):
            path = error.get("path")
            if (isinstance(path, list) and len(path) >= 2 and path[0] == "_entities" and isinstance(path[1], int)
                    and path[1] < len(targets)):
                for obj, where in targets[path[1]]:
                    run.errors.append(_client_error(error, fetch.service, [*where_of(obj, where), *path[2:]]))
            else:
                run.errors.append(_client_error(error, fetch.service, None))

    def _introspect(self, operation: ParsedOperation, variables: dict[str, Any]) -> dict[str, Any]:
        """Answer ``__schema``/``__type`` from the API schema (only those root fields are executed here)."""
        root = [s for s in operation.operation.selection_set.selections
                if getattr(getattr(s, "name", None), "value", None) in ("__schema", "__type")]
        op = OperationDefinitionNode(
            operation=operation.operation.operation, name=operation.operation.name,
            variable_definitions=operation.operation.variable_definitions,
            directives=(), selection_set=SelectionSetNode(selections=tuple(root)),
        )
        document = type(operation.document)(definitions=(op, *operation.fragments.values()))
        result = execute(self.api_schema, document, variable_values=variables)
        return result.data or {}  # type: ignore[union-attr]


_OPERATION_NAME = re.compile(r"^query\s+\w+")


def _merge_siblings(nodes: list[PlanNode]) -> list[PlanNode | list[FlattenNode]]:
    """``nodes`` with the entity fetches that differ only by path and operation name grouped into lists (in the
    place of the first); queries only, and none with @fromContext arguments (one call per context value)."""
    out: list[PlanNode | list[FlattenNode]] = []
    groups: dict[tuple[Any, ...], list[FlattenNode]] = {}
    for node in nodes:
        fetch = node.node if isinstance(node, FlattenNode) else None
        if fetch is None or fetch.contexts or fetch.operation_kind != "query":
            out.append(node)
            continue
        key = (fetch.service, _OPERATION_NAME.sub("query", fetch.operation), fetch.variable_usages,
               fetch.client_keys, fetch.assume_type, repr(sorted(fetch.entities.items())))
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
            out.append(group)
        group.append(node)  # type: ignore[arg-type]
    return [g[0] if isinstance(g, list) and len(g) == 1 else g for g in out]


def _collect_writes(result: dict[str, Any], run: _Run) -> None:
    """A mutation's write records (``subgraphs/common/writes.py``) into the fetch context, for the gateway's
    audit only: response keys mapped to the client's, never forwarded (the pipeline builds the response)."""
    extensions = result.get("extensions")
    records = extensions.get(WRITES_EXTENSION) if isinstance(extensions, dict) else None
    if not isinstance(records, list):
        return
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("responseKey"), str):
            run.ctx.writes.append({**record, "responseKey": client_key(record["responseKey"])})


def _errors(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The subgraph's error objects (anything malformed becomes an error without details)."""
    errors = result.get("errors")
    if not errors:
        return []
    if not isinstance(errors, list):
        return [{}]
    return [e if isinstance(e, dict) else {} for e in errors]


def _client_error(error: Any, service: str, path: list[Any] | None) -> dict[str, Any]:
    return client_error(error, service, client_path(path) if isinstance(path, list) and path else None)


def _unavailable(fetch: FetchNode, failure: SubgraphFailure, paths: list[list[Any]]) -> list[dict[str, Any]]:
    log.warning("subgraph %s unavailable: %s%s", fetch.service, failure.reason,
                f" ({failure.detail})" if failure.detail else "")
    message = f"Subgraph '{fetch.service}' is unavailable: {failure.reason}"
    if not paths:
        return [error_dict(message, "SUBGRAPH_UNAVAILABLE", serviceName=fetch.service)]
    errors = [error_dict(message, "SUBGRAPH_UNAVAILABLE", client_path(p), serviceName=fetch.service)
              for p in paths[:MAX_UNAVAILABLE_ERRORS]]
    if len(paths) > MAX_UNAVAILABLE_ERRORS:
        errors.append(error_dict(f"{message} ({len(paths) - MAX_UNAVAILABLE_ERRORS} more paths)",
                                 "SUBGRAPH_UNAVAILABLE", serviceName=fetch.service))
    return errors
