"""Escalations: filing, status changes, SLA reminders and their posts to the escalations channel.

Importing the package registers its outbox hook (``remember_post``), so any process
that delivers an escalation post keeps ``Escalation.slack_ts`` up to date.
"""

from bot.services.escalations import service as _service  # noqa: F401 - registers the hook
