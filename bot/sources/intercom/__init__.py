"""Intercom: the sync connector (companies, contacts, conversations as tickets) over httpx."""
