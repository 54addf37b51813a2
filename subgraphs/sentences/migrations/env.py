"""Alembic environment of the sentences subgraph (version table ``alembic_version_sentences``)."""

from subgraphs.common.migrations import run_env
from subgraphs.sentences.models import Base

run_env(Base.metadata, "sentences")
