"""Classification of every output field by personal-data category (004 Art. 2), and the declarations the
gateway's protection model reads: whose data a row is (``@dataSubject``), the value kind of every field
(``@personalData(kind: …)``) and the row facts a rule may need (``@protectionFact``). See docs/PROTECTION.md.

Each field carries ``@personalData(category: …, kind: …)``. The directive is composed into the supergraph
(``@composeDirective``) so that the gateway reads the category of every coordinate at run time and policy is
written over categories, not over hundreds of fields. A field without a category is treated by the gateway as
the most restricted one; a test fails if any subgraph field lacks it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.federation import schema_directive
from strawberry.federation.schema_directive import Location

CLASSIFICATION_SPEC_URL = "https://specs.lienthong.gov.vn/classification/v1.0"


@strawberry.enum(
    description=(
        "Category of personal data a field holds (Decree 13/2023/NĐ-CP Art. 2): basic (Art. 2.3) or sensitive "
        "(Art. 2.4). Every sensitive kind has its category, used by a field or not yet, so that a new subgraph can "
        "be classified; the policy withholds a category no purpose names (policies/README.md)."
    )
)
class DataCategory(enum.Enum):
    PUBLIC = strawberry.enum_value(
        "PUBLIC", description="No personal data (codes, statistics, authorities): not attached to a person (004 Art. 2.1)."
    )
    IDENTIFIER = strawberry.enum_value(
        "IDENTIFIER",
        description="Identification numbers: personal id, ID card, passport, tax or insurance number (004 Art. 2.3.g).",
    )
    BASIC = strawberry.enum_value(
        "BASIC",
        description="Basic personal data: names, dates of birth and death, sex, places, nationality (004 Art. 2.3).",
    )
    FAMILY = strawberry.enum_value(
        "FAMILY", description="Family relations, marital status, parents, spouse, children (004 Art. 2.3.h, 2.3.i)."
    )
    IMAGE = strawberry.enum_value("IMAGE", description="A picture of the person (004 Art. 2.3.e).")
    DIGITAL_ACTIVITY = strawberry.enum_value(
        "DIGITAL_ACTIVITY",
        description="The person's digital accounts and their activity history online (004 Art. 2.3.k).",
    )
    POLITICAL_OPINION = strawberry.enum_value(
        "POLITICAL_OPINION", description="Political views: sensitive (004 Art. 2.4.a)."
    )
    RELIGION = strawberry.enum_value("RELIGION", description="Religious belief: sensitive (004 Art. 2.4.a).")
    HEALTH = strawberry.enum_value(
        "HEALTH",
        description="Health and private life in medical records, blood group excepted: sensitive (004 Art. 2.4.b).",
    )
    ETHNIC_ORIGIN = strawberry.enum_value(
        "ETHNIC_ORIGIN", description="Racial or ethnic origin: sensitive (004 Art. 2.4.c)."
    )
    GENETIC = strawberry.enum_value(
        "GENETIC", description="Inherited or acquired genetic characteristics: sensitive (004 Art. 2.4.d)."
    )
    BIOMETRIC = strawberry.enum_value(
        "BIOMETRIC",
        description="Physical attributes and biological characteristics (fingerprints, face): sensitive (004 Art. 2.4.đ).",
    )
    SEX_LIFE = strawberry.enum_value(
        "SEX_LIFE", description="Sex life and sexual orientation: sensitive (004 Art. 2.4.e)."
    )
    CRIMINAL = strawberry.enum_value(
        "CRIMINAL",
        description="Data on crimes and offences held by law-enforcement bodies: sensitive (004 Art. 2.4.g).",
    )
    FINANCIAL = strawberry.enum_value(
        "FINANCIAL",
        description=(
            "Customer data of credit institutions and payment intermediaries: accounts, deposits, transactions, "
            "guarantors: sensitive (004 Art. 2.4.h)."
        ),
    )
    LOCATION = strawberry.enum_value(
        "LOCATION", description="The person's location determined by a location service: sensitive (004 Art. 2.4.i)."
    )
    OTHER_SENSITIVE = strawberry.enum_value(
        "OTHER_SENSITIVE",
        description="Other personal data the law declares special and needing protection: sensitive (004 Art. 2.4.k).",
    )


@strawberry.enum(description="What kind of value a field holds: masks are chosen from it, never from field names.")
class ValueKind(enum.Enum):
    NAME = strawberry.enum_value("NAME", description="A natural person's name (full name, other names, signer).")
    IDENTIFIER = strawberry.enum_value(
        "IDENTIFIER", description="A number or code identifying a person or a record (personal id, passport)."
    )
    DATE = strawberry.enum_value("DATE", description="A date or partial date (YYYY, YYYY-MM, YYYY-MM-DD).")
    ADDRESS = strawberry.enum_value(
        "ADDRESS", description="An address or place whose last comma-separated segment is the province."
    )
    FREE_TEXT = strawberry.enum_value(
        "FREE_TEXT", description="Narrative text that can hold names and anything else (summaries, new values)."
    )
    TEXT = strawberry.enum_value(
        "TEXT", description="A short descriptive value that is not a name (nationality, occupation, title)."
    )
    CODE = strawberry.enum_value("CODE", description="A code or enum member from a closed list.")
    COUNT = strawberry.enum_value("COUNT", description="A count of persons, records or events.")
    AMOUNT = strawberry.enum_value("AMOUNT", description="A sum of money or a duration.")
    FLAG = strawberry.enum_value("FLAG", description="A yes/no value.")
    REFERENCE = strawberry.enum_value(
        "REFERENCE", description="An object or list of objects: the fields of the referenced rows decide."
    )


@strawberry.enum(description="How a data subject takes part in a row.")
class SubjectRole(enum.Enum):
    SUBJECT = strawberry.enum_value("SUBJECT", description="The person the row is about.")
    PARTY = strawberry.enum_value(
        "PARTY", description="Another person the row records (a parent, spouse, guardian, adoptive parent)."
    )


@schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="personalData",
    compose=True,
    import_url=CLASSIFICATION_SPEC_URL,
    description=(
        "The personal-data category of this field (004 Art. 2) and the kind of value it holds; read by the "
        "gateway's policy."
    ),
)
class PersonalData:
    category: DataCategory
    kind: ValueKind | None = None


@schema_directive(
    locations=[Location.OBJECT, Location.INTERFACE],
    name="dataSubject",
    compose=True,
    repeatable=True,
    import_url=CLASSIFICATION_SPEC_URL,
    description=(
        "Whose personal data a row of this type is (004 Art. 2.1, 2.5). `field` names a field of this type: "
        "an entity-typed field (the subject is that entity), or this entity's own key (the row is about "
        "itself; `facts` then names the field, resolved by the entity's owner, that holds its protection "
        "facts). `inherit: true`: the row is about its parent row's subjects (a charge of a sentence)."
    ),
)
class DataSubject:
    field: str | None = None
    role: SubjectRole = SubjectRole.SUBJECT
    facts: str | None = None
    inherit: bool = False


@schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="protectionFact",
    compose=True,
    import_url=CLASSIFICATION_SPEC_URL,
    description=(
        "This field is a fact about its row that row rules read (e.g. registrationProvince, 003 Art. 8.4; "
        "cellCount for small-cell suppression). The gateway fetches it under a reserved alias."
    ),
)
class ProtectionFact:
    name: str


def field(
    category: DataCategory,
    description: str,
    *,
    kind: ValueKind | None = None,
    fact: str | None = None,
    resolver: Callable[..., Any] | None = None,
    federation: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """A strawberry field classified with ``category`` and value ``kind`` (a test fails on a field without a
    kind); ``fact`` declares it a row fact (``@protectionFact``); ``federation`` passes keywords such as
    ``shareable=True`` or ``requires=[...]`` to ``strawberry.federation.field``."""
    directives: list[Any] = [PersonalData(category=category, kind=kind)]
    if fact is not None:
        directives.append(ProtectionFact(name=fact))
    directives.extend(kwargs.pop("directives", []))
    if resolver is not None:
        kwargs["resolver"] = resolver
    if federation:
        return strawberry.federation.field(description=description, directives=directives, **federation, **kwargs)
    return strawberry.field(description=description, directives=directives, **kwargs)


def classified(category: DataCategory, description: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Decorator form of :func:`field` for resolver methods."""

    def wrap(resolver: Callable[..., Any]) -> Any:
        return field(category, description, resolver=resolver, **kwargs)

    return wrap
