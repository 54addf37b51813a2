"""``accessLog`` executed directly with graphql-core: who may read it, what it shows, paging, bad input."""

from __future__ import annotations

from typing import Any

from graphql import graphql, print_schema
from test_audit_helpers import SUBJECT_A, SUBJECT_B, audit_url_fixture, days_ago, rec, store_fixture  # noqa: F401

from gateway.audit import ACCESS_LOG_SDL, AuditStore, build_access_log_schema
from gateway.auth import Caller, Role

QUERY = """query($id: ID!, $first: Int, $after: String, $since: String, $until: String) {
  accessLog(personalId: $id, first: $first, after: $after, since: $since, until: $until) {
    entries { reference at agency { id name kind } purpose legalBasis categories outcome }
    endCursor hasNextPage
  }
}"""


def caller(sub: str, role: Role, agency: str | None = None) -> Caller:
    return Caller(sub=sub, agency_id=agency, agency_kind="court" if agency else None, province=None, role=role,
                  issuer="test")


async def run(store: AuditStore, who: Caller | None, **variables: Any) -> Any:
    schema = build_access_log_schema(store)
    variables.setdefault("id", SUBJECT_A)
    return await graphql(schema, QUERY, variable_values=variables, context_value={"caller": who})


async def seed(store: AuditStore) -> None:
    await store.record(rec(1, agency="vksnd-ha-noi", purpose="enforcement_supervision", at=days_ago(30)))
    await store.record(rec(2, subjects=(SUBJECT_B,), at=days_ago(20)))
    await store.record(rec(3, outcome="allowed", categories=["BASIC"], at=days_ago(10)))
    await store.record(rec(4, outcome="refused", http_status=403, subjects=(), at=days_ago(5)))


async def test_data_subject_sees_who_accessed_them(store: AuditStore):
    await seed(store)
    result = await run(store, caller(SUBJECT_A, Role.DATA_SUBJECT))
    assert result.errors is None, result.errors
    page = result.data["accessLog"]
    entries = page["entries"]
    assert [e["reference"] for e in entries] == ["3", "1"]  # newest first, only records naming A
    assert entries[0]["agency"] == {"id": "tand-ha-noi", "name": "Tòa án nhân dân Thành phố Hà Nội", "kind": "court"}
    assert entries[0]["categories"] == ["BASIC"] and entries[0]["outcome"] == "allowed"
    assert entries[1]["purpose"] == "enforcement_supervision" and entries[1]["agency"]["kind"] == "procuracy"
    assert entries[1]["legalBasis"].startswith("Quyết định")
    assert "officer" not in str(page)  # never the officer's account
    assert page["hasNextPage"] is False


async def test_dpo_may_read_any_log(store: AuditStore):
    await seed(store)
    result = await run(store, caller("dpo-1", Role.DPO, "bo-tu-phap"), id=SUBJECT_B)
    assert result.errors is None and [e["reference"] for e in result.data["accessLog"]["entries"]] == ["2"]


async def test_refused_to_everyone_else(store: AuditStore):
    await seed(store)
    for who in (caller(SUBJECT_B, Role.DATA_SUBJECT), caller("officer-1", Role.AGENCY, "tand-ha-noi"),
                caller(SUBJECT_A, Role.AGENCY, "tand-ha-noi"), None):
        result = await run(store, who)
        assert result.data is None  # accessLog is non-null: the whole response data is null
        assert result.errors[0].extensions["code"] == "FORBIDDEN_FIELD"
        assert result.errors[0].path == ["accessLog"]


async def test_paging_and_time_window(store: AuditStore):
    moments = [days_ago(30 - i) for i in range(7)]  # computed once: the window below must not race the clock
    for i, moment in enumerate(moments):
        await store.record(rec(i, at=moment))
    me = caller(SUBJECT_A, Role.DATA_SUBJECT)
    seen, after = [], None
    while True:
        result = await run(store, me, first=3, after=after)
        page = result.data["accessLog"]
        seen += [int(e["reference"]) for e in page["entries"]]
        if not page["hasNextPage"]:
            break
        after = page["endCursor"]
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    window = await run(store, me, since=moments[2].date().isoformat(), until=moments[5].isoformat())
    assert [e["reference"] for e in window.data["accessLog"]["entries"]] == ["5", "4", "3"]


async def test_bad_input(store: AuditStore):
    me = caller(SUBJECT_A, Role.DATA_SUBJECT)
    dpo = caller("dpo", Role.DPO)
    for who, variables, argument in [
        (me, {"first": 0}, "first"),
        (me, {"first": 1000}, "first"),
        (me, {"after": "bm9wZQ=="}, "after"),
        (me, {"since": "yesterday"}, "since"),
        (dpo, {"id": "12345"}, "personalId"),
    ]:
        result = await run(store, who, **variables)
        assert result.errors[0].extensions == {"code": "BAD_USER_INPUT", "argumentName": argument}, variables


def test_sdl_is_classified():
    from graphql import build_schema

    from gateway.audit import ACCESS_LOG_SDL_PRELUDE

    schema = build_schema(ACCESS_LOG_SDL_PRELUDE + ACCESS_LOG_SDL)
    assert "accessLog(personalId: ID!" in print_schema(schema)
    for type_name in ("AccessLogEntry", "AccessLogAgency", "AccessLogPage", "Query"):
        for name, field in schema.type_map[type_name].fields.items():
            assert any(d.name.value == "personalData" for d in field.ast_node.directives), f"{type_name}.{name}"
