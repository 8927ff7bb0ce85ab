"""Composition root: build every collaborator from settings, once."""

from __future__ import annotations

from bot.db.session import make_engine, make_session_factory
from bot.services import Services
from bot.settings import Settings


def build_services(settings: Settings) -> Services:
    from bot.money import set_locale

    set_locale(settings.locale)  # every amount on every surface uses the team's format
    engine = make_engine(settings.resolved_database_url)
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))
