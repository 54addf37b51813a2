"""The ``sentences`` subgraph: the criminal judgment enforcement database (CSDL về thi hành án hình sự, 000 Art. 8).

It extends ``Person`` with the sentences a citizen serves, owns ``Sentence``, ``ForeignOffender`` (foreigners
keyed by passport or identification code, 000 Art. 8.2.c) and ``LegalEntity`` (commercial legal entities,
000 Art. 8.3), and serves aggregate statistics (000 Art. 8.1.a).
"""
