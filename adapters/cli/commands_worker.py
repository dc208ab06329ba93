import click

from adapters.cli.output import container


@click.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Jobs this worker runs at once (each sync in its own thread).")
@click.option("--queues", default=None, help="Comma-separated queues to take jobs from: sync, refresh, upkeep (default: all).")
@click.option("--name", default=None, help="Worker name in logs and procrastinate's tables (default: host and pid).")
@click.pass_context
def worker(ctx: click.Context, concurrency: int, queues: str | None, name: str | None) -> None:
    """Run background jobs from the PostgreSQL job queue until SIGTERM or Ctrl+C: every connected
    store synced every TIKTOK_OMS_SYNC_INTERVAL seconds, the order refreshes webhooks ask for, token
    upkeep. Start as many as you like, on as many machines: they share one queue.

    \b
    Example:
      tiktok-oms worker --concurrency 2 --queues sync,refresh
    """
    import os
    import socket

    from adapters.jobs.queue import QUEUES, build_queue_app, ensure_schema
    from application.errors import ApplicationError

    c = container(ctx)
    settings = c.settings()
    if c.engine().dialect.name != "postgresql":
        raise ApplicationError(
            "'tiktok-oms worker' needs PostgreSQL (TIKTOK_OMS_DATABASE_URL=postgresql+psycopg://…); "
            "on the SQLite file, 'tiktok-oms serve' runs the scheduled jobs itself"
        )
    if ensure_schema(settings.database_url):
        click.echo("installed the job queue's tables", err=True)
    app = build_queue_app(c)
    # Jobs that ask for more jobs (the tick) defer through the worker's own, open app.
    from dependency_injector import providers

    from adapters.jobs.queue import ProcrastinateJobs

    c.jobs.override(providers.Object(ProcrastinateJobs(app, opened=True)))
    from adapters.container import prepare

    prepare(c)
    chosen = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
    unknown = sorted(set(chosen or ()) - set(QUEUES))
    if unknown:
        raise click.BadParameter(f"unknown queue {', '.join(unknown)}; the queues are {', '.join(QUEUES)}",
                                 param_hint="--queues")
    worker_name = name or f"{socket.gethostname()}-{os.getpid()}"
    click.echo(f"worker {worker_name}: {concurrency} at a time, queues {', '.join(chosen) if chosen else 'all'}; "
               f"syncing every {settings.sync_interval_seconds:g} s (Ctrl+C to stop)", err=True)
    app.run_worker(
        queues=chosen,
        concurrency=concurrency,
        name=worker_name,
        update_heartbeat_interval=settings.worker_heartbeat_seconds,
        stalled_worker_timeout=settings.worker_stall_seconds,
        shutdown_graceful_timeout=settings.worker_shutdown_seconds,
        delete_jobs="successful",
    )
    click.echo(f"worker {worker_name} stopped", err=True)


GROUPS = (worker,)
