from sqlalchemy import inspect

from bot.db.migrate import current_revisions
from bot.db.models import Base


def test_migrations_from_empty_create_every_model_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revisions(engine)
