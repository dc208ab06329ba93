"""What `tiktok-oms serve` runs: the OMS app with everything other adapters mount on it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from adapters.container import Container
from adapters.server.app import Lifespan, build_app


def serve_app(container: Container) -> Starlette:
    """The app `serve` runs: the OMS routes plus the adapters that mount on them.

    This is the one place that wires extra routes (the sellers' web pages), middleware and the
    background jobs into `build_app`.
    """
    from adapters.web import web_middleware, web_routes

    return build_app(container, extra_routes=web_routes(container), middleware=web_middleware(container),
                     lifespans=[background_jobs(container)])


def single_machine(container: Container) -> bool:
    """True when `serve` itself runs the scheduled jobs (SQLite or in-memory; not PostgreSQL)."""
    return container.mode() == "memory" or container.engine().dialect.name != "postgresql"


def background_jobs(container: Container) -> Lifespan:
    """Starts the job queue with the server and stops it (waiting for running jobs) with it.

    Single-machine mode (SQLite): the scheduler runs here, every store synced every
    TIKTOK_OMS_SYNC_INTERVAL seconds, tokens kept fresh, webhook refreshes run in this process.
    PostgreSQL: the jobs go to the shared queue; `tiktok-oms worker` processes run them.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        jobs = container.jobs()
        if single_machine(container):
            await run_in_threadpool(jobs.start)
            try:
                yield
            finally:
                await run_in_threadpool(jobs.stop)
        else:
            from adapters.jobs.queue import ensure_schema

            await run_in_threadpool(ensure_schema, container.settings().database_url)
            try:
                yield
            finally:
                await run_in_threadpool(jobs.close)

    return lifespan
