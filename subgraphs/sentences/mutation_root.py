"""The sentences subgraph's ``Mutation`` type: the writes of the enforcement bodies (000 Art. 11.3), each declaring
the argument holding its area and its subjects for the gateway's write policy and audit (subgraphs.common.writes).
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.common.classification import DataCategory, ValueKind, classified
from subgraphs.common.writes import WriteArea, WriteSubject

from .mutations import EnforcementEventInput, EnforcementEventRecorded, record_enforcement_event
from .mutations_entity import legal_entity_mutation_field

CRIMINAL = DataCategory.CRIMINAL


@strawberry.type
class Mutation:
    @classified(
        CRIMINAL,
        "Record one step in the course of a natural person's sentence: postponement, suspension, exemption, "
        "reduction, conditional early release and its revocation, amnesty, revocation of a suspended sentence, "
        "transfer, facility transfer, termination of a judicial measure, escape, recapture, death, completion, "
        "reward, discipline (000 Art. 8.2.e). Updates the status and its history in the same transaction and "
        "tells the other databases (000 Art. 8.5.c–d). Only for the bodies granted update rights (000 Art. 11.3).",
        kind=ValueKind.REFERENCE,
        directives=[WriteArea(argument="input.provinceCode"), WriteSubject(argument="input.personalId")],
    )
    async def record_enforcement_event(
        self, info: Info, input: EnforcementEventInput
    ) -> EnforcementEventRecorded | None:
        return await record_enforcement_event(info, input)

    record_legal_entity_enforcement_event = legal_entity_mutation_field()
