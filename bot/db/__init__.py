"""The store: models, sessions, repositories and the contract importer. Only here is SQL."""
