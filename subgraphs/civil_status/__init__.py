"""The civil-status subgraph (CSDL hộ tịch điện tử, Decree 003 Art. 3, 7, 8, 10, 11): birth registrations and civil
status events of persons, contributed to the ``Person`` entity owned by ``population``."""
