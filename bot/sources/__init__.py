"""Ways data comes into the store: the contract importer, the demo world, the sync connectors."""
