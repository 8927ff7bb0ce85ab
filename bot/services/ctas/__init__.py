"""Calls to action: the rules that raise them, the actions on them, and the planning of their
alerts.
"""
