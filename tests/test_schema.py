"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from juvenile.extensions import db as _db


def _differences():
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, _db.metadata)


def test_models_and_migrations_agree(app):
    assert _differences() == []


def test_migrations_go_down_and_up_again(app):
    downgrade(revision="base")
    with _db.engine.connect() as connection:
        tables = _db.inspect(connection).get_table_names()
    assert set(tables) <= {"alembic_version"}
    upgrade()
    assert _differences() == []
