"""The three federated subgraphs of Liên thông and the small part they share (``subgraphs.common``)."""
