"""Composition of the subgraphs' SDL into the supergraph (Apollo Federation join-spec form).

``compose([SubgraphSource(name, url, sdl), ...])`` returns the supergraph SDL that Apollo Gateway and our own
gateway load (``schema.graphql``), or raises :class:`CompositionFailed` listing every error with the subgraph
and location it comes from. ``python -m gateway compose`` is the command-line front end (:mod:`.cli`).
"""

from .compose import Composition, SubgraphSource, compose
from .errors import CompositionError, CompositionFailed, CompositionHint, SubgraphLocation

__all__ = [
    "Composition",
    "CompositionError",
    "CompositionFailed",
    "CompositionHint",
    "SubgraphLocation",
    "SubgraphSource",
    "compose",
]
