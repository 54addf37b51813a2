"""What the three subgraphs really share: settings, database, classification, internal auth, validation."""
