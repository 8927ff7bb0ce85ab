"""The playbook catalog: the twelve built-in playbooks (``<id>.md`` beside this file),
their validating loader, and support for a team's own playbook folder."""

from knowledge.playbooks.loader import (
    BUILTIN_PLAYBOOKS_DIR,
    CATALOG_IDS,
    load_playbook_folder,
    load_playbooks,
    parse_playbook_file,
)

__all__ = [
    "BUILTIN_PLAYBOOKS_DIR",
    "CATALOG_IDS",
    "load_playbook_folder",
    "load_playbooks",
    "parse_playbook_file",
]
