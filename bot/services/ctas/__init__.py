"""Calls to action: the rules that raise them, the actions on them, and the planning and
rendering of their alerts (sent through ``bot.services.outbox``).
"""
