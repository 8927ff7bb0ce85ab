"""Questions in, answers out: intents, dates, context, conversation memory and the account,
portfolio and theme answers.
"""
