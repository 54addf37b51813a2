"""The one error the supergraph package raises: the SDL cannot be served (start-up prints it and exits)."""

from __future__ import annotations


class SupergraphError(ValueError):
    """The SDL is not a usable supergraph, or it needs a feature this router cannot honour."""
