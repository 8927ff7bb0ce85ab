"""Typed read queries for the question-answering path.

Every function here takes ``session=`` and plain values (ids, dates, an
:class:`~bot.db.queries.scope.AccountScope`) and returns frozen records from
:mod:`bot.db.queries.records`. User text never reaches these functions as SQL:
the services layer resolves names to ids first, and everything is bound with
``select()`` parameters. Nothing here commits.
"""
