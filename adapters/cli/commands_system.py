"""`demo`, `sandbox serve` and `db upgrade`."""

import click

from adapters.cli.output import container
from adapters.cli.params import MAX_SEEDED_ORDERS, PORT, SEEDED_ORDERS, ensure_port_free


@click.command()
@click.option("--in-memory", is_flag=True, help="Run on the in-memory adapter and an in-process TikTok shop.")
@click.pass_context
def demo(ctx: click.Context, in_memory: bool) -> None:
    """Tell the whole TikTok store story, step by step, on a demo shop, with the command behind each
    step. It uses its own SQLite file and sandbox, never your database.

    \b
    Example:
      tiktok-oms demo --in-memory
    """
    from adapters.demo import run_demo

    run_demo(container(ctx, in_memory=True) if in_memory or ctx.find_root().params.get("in_memory") else None, echo=click.echo)


@click.group()
def sandbox() -> None:
    """The TikTok Shop simulator.

    \b
    Example:
      tiktok-oms sandbox serve --port 8900 --orders 500
    """


@sandbox.command("serve")
@click.option("--port", type=PORT, default=8900, show_default=True, help="Loopback port, 1-65535.")
@click.option("--orders", type=SEEDED_ORDERS, default=0, show_default=True,
              help=f"Extra random orders to seed (at most {MAX_SEEDED_ORDERS:,}).")
@click.option("--webhook-url", help="Sign and POST TikTok's webhooks here when orders change (e.g. http://127.0.0.1:8080/webhooks/tiktok).")
@click.option("--webhook-retries", default="1,5,30,120", show_default=True,
              help="Seconds before each retry of an unanswered webhook (TikTok's own: 120,1800,10800,43200).")
@click.option("--order-every", type=click.FloatRange(min=0.1), metavar="SECONDS", help="Place a new order every this many seconds.")
@click.pass_context
def sandbox_serve(ctx: click.Context, port: int, orders: int, webhook_url: str | None, webhook_retries: str,
                  order_every: float | None) -> None:
    """Serve the TikTok Shop simulator on 127.0.0.1 until interrupted.

    It plays TikTok's side of the app registered in Partner Center: the app key, secret, service
    id and redirect URL come from the same settings as the OMS's (TIKTOK_APP_KEY, …,
    TIKTOK_REDIRECT_URL), so its authorization page sends the browser back where
    `stores authorize` listens.

    \b
    Example:
      tiktok-oms sandbox serve --webhook-url http://127.0.0.1:8080/webhooks/tiktok --order-every 30
    """
    ensure_port_free("127.0.0.1", port)
    from adapters.sandbox.server import serve

    settings = container(ctx).settings()
    try:
        retries = tuple(float(part) for part in webhook_retries.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter("give seconds separated by commas, e.g. 1,5,30", param_hint="--webhook-retries") from None
    serve(port=port, orders=orders, app_key=settings.app_key, app_secret=settings.app_secret.get_secret_value(),
          service_id=settings.service_id, redirect_url=settings.redirect_url, webhook_url=webhook_url,
          webhook_retry_delays=retries, order_every=order_every)


@click.group()
def db() -> None:
    """The database.

    \b
    Example:
      TIKTOK_OMS_DATABASE_URL=postgresql+psycopg://oms@db.internal/oms tiktok-oms db upgrade
    """


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the database to the latest schema. The one command that creates a new
    database where TIKTOK_OMS_DATABASE_URL points (a SQLite file in a new folder, or the OMS's
    tables in a database that holds others).

    \b
    Example:
      tiktok-oms db upgrade
    """
    from adapters.persistence.migrations import upgrade

    settings = container(ctx).settings()
    upgrade(settings.database_url)
    from adapters.persistence.engine import database_url

    if database_url(settings.database_url).get_backend_name() == "postgresql":
        from adapters.jobs.queue import ensure_schema

        if ensure_schema(settings.database_url):
            click.echo("installed the job queue's tables (procrastinate)", err=True)
    click.echo("database is up to date")


GROUPS = (demo, sandbox, db)
