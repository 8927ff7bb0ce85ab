"""Outreach emails and summaries grounded in the store: the facts pack, sentences, prompts, the
template drafter and the grounding check.
"""
