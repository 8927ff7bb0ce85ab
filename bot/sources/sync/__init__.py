"""Connectors that sync a source (Salesforce, HubSpot, …) into the store through the importer.

``protocol`` is what a connector implements, ``mapping`` the YAML mapping files,
``engine`` the page-by-page import with the cursor in the same transaction, and
``registry`` the list of sources the CLI and the scheduler know.
"""
