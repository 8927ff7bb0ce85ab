"""Escalations: filing (``filing``), then status changes and SLA reminders (``status``), all
posted to the escalations channel through the outbox.

Importing the package registers its outbox hook (``filing.remember_post``), so any
process that delivers an escalation post keeps ``Escalation.slack_ts`` up to date.
"""

from bot.services.escalations import filing as _filing  # noqa: F401 - registers the hook
