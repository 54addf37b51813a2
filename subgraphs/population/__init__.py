"""The ``population`` subgraph: owner of the ``Person`` entity (national population database, port 4001)."""
