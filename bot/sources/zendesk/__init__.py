"""Zendesk Support: the sync connector (organizations, users, tickets with their CSAT)."""
