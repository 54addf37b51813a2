"""Enums used by more than one subgraph; composition needs their definitions to be identical, so they live here."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Sex as recorded in the population database (004 Art. 2.3.c).")
class Sex(enum.Enum):
    MALE = "MALE"
    FEMALE = "FEMALE"


@strawberry.enum(description="Marital status (tình trạng hôn nhân), 003 Art. 3.1; 004 Art. 2.3.h.")
class MaritalStatus(enum.Enum):
    SINGLE = "SINGLE"
    MARRIED = "MARRIED"
    DIVORCED = "DIVORCED"
    WIDOWED = "WIDOWED"
