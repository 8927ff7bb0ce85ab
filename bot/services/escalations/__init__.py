"""Escalations: filing, status changes, SLA reminders and their posts to the escalations channel."""
