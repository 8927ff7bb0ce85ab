"""Playbooks and tickets as searchable text: indexing, themes, playbook retrieval and the knowledge
toolkit.
"""
