"""The composition root: the only module that knows every adapter and every handler.

`Settings.in_memory` selects in-memory storage and the TikTok Shop simulator reached in process
(demo, fast tests) through the same TikTok client and gateway as production; otherwise the SQL
database and TikTok's HTTP API are used. Engines and clients are built here, once per process;
a unit of work is made fresh for every command.
"""

from dependency_injector import containers, providers

from adapters.clock import SystemClock, seconds_of
from adapters.memory.repositories import InMemoryDatabase, InMemoryUnitOfWork
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from adapters.database_url import may_create_folder
from adapters.settings import Settings
from application.handlers.add_product import AddProductHandler
from application.handlers.assign_warehouse import AssignWarehouseHandler
from application.handlers.authorize_store import BeginAuthorizationHandler, CompleteAuthorizationHandler
from application.handlers.cancel_order import CancelOrderHandler
from application.handlers.cancellation_requests import AnswerCancellationRequestHandler
from application.handlers.configure_fbt_import import ConfigureFbtImportHandler
from application.handlers.create_return import CreateReturnHandler
from application.handlers.create_store import CreateStoreHandler
from application.handlers.create_warehouse import CreateWarehouseHandler
from application.handlers.disconnect_store import DisconnectStoreHandler
from application.handlers.map_listing import MapListingHandler, UnmapListingHandler
from application.handlers.order_choices import OrderChoices
from application.handlers.queries import Queries
from application.handlers.reconcile_intents import ReconcileIntentsHandler
from application.handlers.retry_set_aside import RetrySetAsideHandler
from application.handlers.ship_order import ShipOrderHandler
from application.handlers.split_order import SplitOrderHandler
from application.handlers.sync_orders import SyncOrdersHandler
from application.handlers.background import (
    KeepTokensFresh,
    RefreshOrderHandler,
    ScheduleSyncs,
    SyncStoreJob,
)
from application.handlers.webhooks import ReceiveWebhookHandler


def _memory_accounts() -> object:
    from adapters.web.accounts import MemoryAccounts  # argon2 loads only for sign-in and `users create`

    return MemoryAccounts()


def _sql_accounts(session_factory: object) -> object:
    from adapters.web.accounts import SqlAccounts

    return SqlAccounts(session_factory)  # type: ignore[arg-type]


def _tiktok_client(**kwargs: object) -> object:
    from adapters.tiktok.client import TikTokHttpClient  # httpx loads only for commands that call TikTok

    return TikTokHttpClient(**kwargs)  # type: ignore[arg-type]


def _http_client(**kwargs: object) -> object:
    from adapters.tiktok.client import http_client_resource

    yield from http_client_resource(**kwargs)  # type: ignore[arg-type]


def _http_gateway(**kwargs: object) -> object:
    from adapters.tiktok.gateway import HttpxTikTokShop

    return HttpxTikTokShop(**kwargs)  # type: ignore[arg-type]


def _may_create_folder(settings: Settings) -> bool:
    return may_create_folder(settings.database_url)


def _token_cipher(settings: Settings) -> object:
    from adapters.secret_key import TokenCipher  # cryptography loads only with the SQL storage

    return TokenCipher.from_settings(settings)


def _mode(settings: Settings) -> str:
    return "memory" if settings.in_memory else "sql"


def _sandbox_app(model: TikTokShopModel) -> object:
    from adapters.sandbox.app import create_app  # Starlette is loaded only for the in-memory mode

    return create_app(model)


def _in_process_gateway(model: TikTokShopModel, app: object, authorize_url: str) -> object:
    from adapters.sandbox.inprocess import InProcessTikTokShop

    return InProcessTikTokShop(model, authorize_url=authorize_url, app=app)  # type: ignore[arg-type]


def _sync_guard(mode: str, engine_provider: providers.Provider) -> object:  # type: ignore[type-arg]
    from adapters.sync_guard import sync_guard_for

    return sync_guard_for(None if mode == "memory" else engine_provider())


def _jobs(container: "Container") -> object:
    """The job queue: procrastinate on PostgreSQL (workers run the jobs), else in-process (serve)."""
    if container.mode() == "sql" and container.engine().dialect.name == "postgresql":
        from adapters.jobs.queue import ProcrastinateJobs, build_queue_app

        return ProcrastinateJobs(build_queue_app(container), database_url=container.settings().database_url)
    from adapters.jobs.inprocess import InProcessJobs

    settings = container.settings()
    return InProcessJobs(
        run_sync=lambda store_id, should_stop: container.run_store_sync()(store_id, should_stop),
        run_refresh=lambda store_id, order_id: container.refresh_order()(store_id, order_id),
        tick=lambda: container.schedule_syncs()(),
        upkeep=lambda: container.keep_tokens_fresh()(),
        tick_seconds=settings.scheduler_tick_seconds,
        upkeep_seconds=settings.token_upkeep_seconds,
        attempts=settings.job_attempts,
    )


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings = providers.Dependency(instance_of=Settings)
    mode = providers.Callable(_mode, settings)
    clock = providers.Singleton(SystemClock)

    memory_db = providers.Singleton(InMemoryDatabase)
    tiktok_model = providers.Singleton(
        TikTokShopModel,
        app_key=settings.provided.app_key,
        service_id=settings.provided.service_id,
        now=providers.Callable(seconds_of, clock),
    )

    sandbox_app = providers.Singleton(_sandbox_app, tiktok_model)  # its state scripts faults, logs requests

    token_cipher = providers.Singleton(_token_cipher, settings)
    engine = providers.Singleton(make_engine, settings.provided.database_url, cipher=token_cipher,
                                 create_folder=providers.Callable(_may_create_folder, settings))
    session_factory = providers.Singleton(make_session_factory, engine=engine)
    uow = providers.Selector(
        mode,
        memory=providers.Factory(InMemoryUnitOfWork, database=memory_db),
        sql=providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory),
    )
    http_client = providers.Resource(_http_client, timeout_seconds=settings.provided.http_timeout_seconds)
    tiktok_client = providers.Singleton(
        _tiktok_client,
        http=http_client,
        app_key=settings.provided.app_key,
        app_secret=settings.provided.app_secret.get_secret_value.call(),
        api_base_url=settings.provided.api_base_url,
        auth_base_url=settings.provided.auth_base_url,
    )
    tiktok = providers.Selector(
        mode,
        # The simulator, reached through the production client and gateway over an in-process transport.
        memory=providers.Singleton(_in_process_gateway, model=tiktok_model, app=sandbox_app,
                                   authorize_url=settings.provided.authorize_url),
        sql=providers.Singleton(
            _http_gateway,
            client=tiktok_client,
            service_id=settings.provided.service_id,
            authorize_url=settings.provided.authorize_url,
        ),
    )

    create_store = providers.Factory(CreateStoreHandler, uow=uow)
    begin_authorization = providers.Factory(BeginAuthorizationHandler, uow=uow, tiktok=tiktok, clock=clock)
    complete_authorization = providers.Factory(CompleteAuthorizationHandler, uow=uow, tiktok=tiktok, clock=clock)
    disconnect_store = providers.Factory(DisconnectStoreHandler, uow=uow)
    configure_fbt_import = providers.Factory(ConfigureFbtImportHandler, uow=uow, clock=clock)
    create_warehouse = providers.Factory(CreateWarehouseHandler, uow=uow)
    add_product = providers.Factory(AddProductHandler, uow=uow)
    map_listing = providers.Factory(MapListingHandler, uow=uow, clock=clock)
    unmap_listing = providers.Factory(UnmapListingHandler, uow=uow)
    sync_guard = providers.Singleton(_sync_guard, mode, engine.provider)
    sync_orders = providers.Factory(SyncOrdersHandler, uow=uow, tiktok=tiktok, clock=clock, guard=sync_guard,
                                    overlap_seconds=settings.provided.sync_overlap_seconds,
                                    deep_window_seconds=settings.provided.sync_deep_window_seconds)
    split_order = providers.Factory(SplitOrderHandler, uow=uow, tiktok=tiktok, clock=clock)
    assign_warehouse = providers.Factory(AssignWarehouseHandler, uow=uow)
    ship_order = providers.Factory(ShipOrderHandler, uow=uow, tiktok=tiktok, clock=clock)
    cancel_order = providers.Factory(CancelOrderHandler, uow=uow, tiktok=tiktok, clock=clock)
    reconcile_intents = providers.Factory(ReconcileIntentsHandler, uow=uow, tiktok=tiktok, clock=clock)
    answer_cancellation_request = providers.Factory(AnswerCancellationRequestHandler, uow=uow, tiktok=tiktok, clock=clock)
    create_return = providers.Factory(CreateReturnHandler, uow=uow, clock=clock)
    queries = providers.Factory(Queries, uow=uow)
    order_choices = providers.Factory(OrderChoices, uow=uow, tiktok=tiktok, clock=clock)
    # The web app's seller accounts (`users create`, sign-in).
    accounts = providers.Selector(
        mode,
        memory=providers.Singleton(_memory_accounts),
        sql=providers.Singleton(_sql_accounts, session_factory=session_factory),
    )

    # Always on: the job queue (in-process or procrastinate) and the work it runs.
    jobs = providers.Singleton(_jobs, __self__)
    run_store_sync = providers.Factory(SyncStoreJob, sync=sync_orders)
    refresh_order = providers.Factory(RefreshOrderHandler, uow=uow, tiktok=tiktok, clock=clock)
    retry_set_aside = providers.Factory(RetrySetAsideHandler, uow=uow, tiktok=tiktok, clock=clock)
    keep_tokens_fresh = providers.Factory(KeepTokensFresh, uow=uow, tiktok=tiktok, clock=clock)
    schedule_syncs = providers.Factory(
        ScheduleSyncs, uow=uow, jobs=jobs, clock=clock, interval_seconds=settings.provided.sync_interval_seconds
    )
    receive_webhook = providers.Factory(ReceiveWebhookHandler, uow=uow, jobs=jobs, clock=clock)


def prepare(container: Container) -> None:
    """Build the process-wide singletons (engine, mapping, TikTok client, sync guard, job queue) once,
    before several threads share them: `serve` and `worker` run jobs and requests in threads, and a
    plain `Singleton` built by two threads at once would be built twice."""
    if container.mode() == "sql":
        container.session_factory()
    container.tiktok()
    container.sync_guard()
    container.jobs()
