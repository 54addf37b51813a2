"""Which row rules concern which row types, and which rows carry their subjects' facts (row_scope.py), on the
real supergraph: a facts-reading rule makes its own rows and every row whose subjects they inherit fetch facts,
and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.policy.model import ProtectionModel
from gateway.policy.row_scope import concerns, types_needing_facts
from gateway.policy.types import RowRule
from gateway.supergraph import load_supergraph

ROOT = Path(__file__).resolve().parents[1]
MINOR = {"attr": "birthDate", "op": "age_under", "value": 18, "if_unknown": True}


@pytest.fixture(scope="module")
def real() -> tuple[object, ProtectionModel]:
    supergraph = load_supergraph(ROOT / "schema.graphql")
    return supergraph.api_schema, ProtectionModel.from_sdl(supergraph.sdl)


def _rule(effect: str, coordinates: set[str], when: dict[str, object] = MINOR) -> RowRule:
    return RowRule("r", when, effect, frozenset(coordinates), "reason")


def test_a_withhold_rule_concerns_only_the_types_of_its_coordinates(real: tuple[object, ProtectionModel]) -> None:
    _, model = real
    rule = _rule("withhold", {"Sentence.status"})
    assert concerns(rule, "Sentence", model.of("Sentence"), True)
    assert not concerns(rule, "BirthRegistration", model.of("BirthRegistration"), True)
    # a filter drops any personal row it hits
    assert concerns(_rule("filter", set()), "BirthRegistration", model.of("BirthRegistration"), True)
    # and a rule never concerns a row without the facts it reads
    assert not concerns(_rule("filter", set()), "BirthRegistration", model.of("BirthRegistration"), False)


def test_facts_go_to_the_rows_a_rule_reads_them_on_and_to_the_rows_their_subjects_come_from(
        real: tuple[object, ProtectionModel]) -> None:
    schema, model = real
    needs = types_needing_facts(schema, model, [_rule("withhold", {"Charge.article"})])  # type: ignore[arg-type]
    # Charge inherits its subjects from the sentence it belongs to: the sentence's offender's facts are needed
    assert model.of("Charge").inherit and {"Charge", "Sentence"} <= needs
    assert "Person" not in needs  # a sentence declares its own subject: the person above it gives none
    assert not any(name.endswith("Registration") for name in needs)


def test_a_rule_over_the_subject_key_alone_fetches_no_facts(real: tuple[object, ProtectionModel]) -> None:
    schema, model = real
    self_rule = _rule("filter", set(), {"attr": "subject", "op": "ne", "value": "001"})
    assert self_rule.reads_subject_facts and not self_rule.reads_facts_object
    assert types_needing_facts(schema, model, [self_rule]) == frozenset()  # type: ignore[arg-type]


def test_a_facts_filter_fetches_facts_for_every_personal_row(real: tuple[object, ProtectionModel]) -> None:
    schema, model = real
    needs = types_needing_facts(schema, model, [_rule("filter", set())])  # type: ignore[arg-type]
    assert {"Person", "Sentence", "BirthRegistration", "MarriageRegistration"} <= needs


def test_a_rule_naming_its_row_types_concerns_those_only(real: tuple[object, ProtectionModel]) -> None:
    _, model = real
    rule = RowRule("r", MINOR, "filter", frozenset(), "reason", row_types=frozenset({"MarriageRegistration"}))
    assert concerns(rule, "MarriageRegistration", model.of("MarriageRegistration"), True)
    assert not concerns(rule, "Person", model.of("Person"), True)
