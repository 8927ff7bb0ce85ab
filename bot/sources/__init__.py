"""Ways data comes into the store: the contract importer, the demo world, and the sync connectors."""
