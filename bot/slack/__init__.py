"""Slack plumbing shared by handlers, jobs and the CLI: client, ids, formatting, replies."""
