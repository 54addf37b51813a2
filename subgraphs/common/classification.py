"""Classification of every output field by personal-data category (004 Art. 2).

Each field carries ``@personalData(category: …)``. The directive is composed into the supergraph
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


@strawberry.enum(description="Category of personal data a field holds (Decree 13/2023/NĐ-CP Art. 2).")
class DataCategory(enum.Enum):
    PUBLIC = strawberry.enum_value("PUBLIC", description="No personal data (codes, statistics, authorities).")
    IDENTIFIER = strawberry.enum_value(
        "IDENTIFIER", description="Identification numbers: personal id, ID card, passport (004 Art. 2.3.g)."
    )
    BASIC = strawberry.enum_value("BASIC", description="Basic personal data (004 Art. 2.3).")
    FAMILY = strawberry.enum_value(
        "FAMILY", description="Family relations, marital status, parents, spouse, children (004 Art. 2.3.h, 2.3.i)."
    )
    ETHNIC_ORIGIN = strawberry.enum_value(
        "ETHNIC_ORIGIN", description="Racial or ethnic origin: sensitive (004 Art. 2.4.c)."
    )
    RELIGION = strawberry.enum_value("RELIGION", description="Religious belief: sensitive (004 Art. 2.4.a).")
    HEALTH = strawberry.enum_value("HEALTH", description="Health and medical records: sensitive (004 Art. 2.4.b).")
    CRIMINAL = strawberry.enum_value(
        "CRIMINAL",
        description="Data on crimes and offences held by law-enforcement bodies: sensitive (004 Art. 2.4.g).",
    )


@schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="personalData",
    compose=True,
    import_url=CLASSIFICATION_SPEC_URL,
    description="The personal-data category of this field (004 Art. 2); read by the gateway's policy.",
)
class PersonalData:
    category: DataCategory


def field(
    category: DataCategory,
    description: str,
    *,
    resolver: Callable[..., Any] | None = None,
    federation: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """A strawberry field classified with ``category``; ``federation`` passes keywords such as
    ``shareable=True`` or ``requires=[...]`` to ``strawberry.federation.field``."""
    directives = [PersonalData(category=category), *kwargs.pop("directives", [])]
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
