from alembic import context
from sqlalchemy import Connection, Engine, text

from adapters.persistence.tables import metadata

# Two processes may start on an empty database at once: the second waits, then finds it done.
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('tiktok-oms:migrations', 0))"


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(_PG_LOCK))
        context.run_migrations()


def _main() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, render_as_batch=True, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Engine):  # pytest-alembic hands in its engine
        with connection.begin() as begun:
            _run(begun)
        return
    if connection is not None:
        _run(connection)
        return
    from adapters.persistence.engine import make_engine

    engine = make_engine(url or "", migrate=False)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


_main()
