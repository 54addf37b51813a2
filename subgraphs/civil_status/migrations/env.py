"""Alembic environment of the civil-status subgraph (version table ``alembic_version_civil_status``)."""

from subgraphs.civil_status.models import Base
from subgraphs.common.migrations import run_env

run_env(Base.metadata, "civil_status")
