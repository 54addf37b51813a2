"""Alembic environment of the population subgraph (version table ``alembic_version_population``)."""

from subgraphs.common.migrations import run_env
from subgraphs.population.models import Base

run_env(Base.metadata, "population")
