"""`tiktok-oms serve`'s ASGI app: health, the OAuth callback, the webhook endpoint's gate."""

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.container import Container
from adapters.server.app import build_app
from adapters.server.webhooks import MAX_BODY_BYTES
from application.commands import BeginAuthorization, CreateStore

# TIKTOK_API.md §6.2: the vector three community implementations agree on.
VECTOR_BODY = (
    b'{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365",'
    b'"order_status":"AWAITING_SHIPMENT","update_time":1664095610}}'
)
VECTOR_SIGNATURE = "21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27"
CALLBACK = "http://127.0.0.1:8080/oauth/tiktok/callback"


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_callback_connects_the_store_waiting_for_its_state(client: TestClient, container: Container) -> None:
    container.create_store()(CreateStore(name="Serve US", region="US"))
    begun = container.begin_authorization()(BeginAuthorization(store="Serve US"))
    redirect = container.tiktok_model().approve(begun["authorization_url"], CALLBACK)

    response = client.get(redirect)

    assert response.status_code == 200
    assert "Serve US is connected" in response.text
    code = redirect.split("code=")[1].split("&")[0]
    assert code not in response.text
    assert container.queries().store("Serve US")["status"] == "connected"


def test_callback_without_a_matching_state_touches_nothing(client: TestClient, container: Container) -> None:
    container.create_store()(CreateStore(name="Serve US", region="US"))
    container.begin_authorization()(BeginAuthorization(store="Serve US"))
    redirect = container.tiktok_model().approve("state=forged", CALLBACK)

    response = client.get(redirect)

    assert response.status_code == 400
    assert "stores connect" in response.text
    assert container.tiktok_model().calls == []  # no token was asked for
    assert container.queries().store("Serve US")["status"] == "disconnected"


def test_callback_refused_by_the_seller_says_so(client: TestClient, container: Container) -> None:
    container.create_store()(CreateStore(name="Serve US", region="US"))
    begun = container.begin_authorization()(BeginAuthorization(store="Serve US"))
    redirect = container.tiktok_model().approve(begun["authorization_url"], CALLBACK, deny=True)

    response = client.get(redirect)

    assert response.status_code == 400
    assert "did not grant access" in response.text


def test_the_documented_signature_vector_is_accepted(client: TestClient) -> None:
    response = client.post("/webhooks/tiktok", content=VECTOR_BODY, headers={"Authorization": VECTOR_SIGNATURE})
    assert response.status_code == 200
    assert response.content == b""


def test_a_webhook_without_a_good_signature_is_refused(client: TestClient) -> None:
    assert client.post("/webhooks/tiktok", content=VECTOR_BODY).status_code == 401
    tampered = VECTOR_BODY.replace(b"AWAITING_SHIPMENT", b"CANCEL")
    assert client.post("/webhooks/tiktok", content=tampered, headers={"Authorization": VECTOR_SIGNATURE}).status_code == 401


def test_an_oversized_webhook_is_refused_before_it_is_read(client: TestClient) -> None:
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    assert client.post("/webhooks/tiktok", content=body, headers={"Authorization": VECTOR_SIGNATURE}).status_code == 413


def test_other_adapters_mount_routes_and_middleware(container: Container) -> None:
    class Stamp:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            async def stamped(message: dict) -> None:  # type: ignore[type-arg]
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append((b"x-stamp", b"1"))
                await send(message)

            await self.app(scope, receive, stamped if scope["type"] == "http" else send)

    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello")

    app = build_app(container, extra_routes=[Route("/", hello)], middleware=[Middleware(Stamp)])
    with TestClient(app) as client:
        response = client.get("/")
        assert response.text == "hello"
        assert response.headers["x-stamp"] == "1"
        assert client.get("/healthz").status_code == 200


def test_stores_authorize_completes_through_serve_when_the_redirect_url_points_there(container: Container) -> None:
    import threading
    import time

    from click.testing import CliRunner

    from adapters.cli import main
    from adapters.server.app import CALLBACK_PATH
    from adapters.settings import Settings

    redirect_url = f"http://127.0.0.1:8080{CALLBACK_PATH}"
    serving = Container(settings=Settings(_env_file=None, in_memory=True, redirect_url=redirect_url))
    serving.memory_db.override(container.memory_db())
    serving.tiktok_model.override(container.tiktok_model())
    serving.clock.override(container.clock())
    serving.create_store()(CreateStore(name="Via Serve", region="US"))

    def seller() -> None:  # TikTok sends the browser to serve once the seller grants access
        for _ in range(400):
            with serving.uow() as uow:
                store = uow.stores.by_name("Via Serve")
                state = store.pending_state if store else None
            if state:
                with TestClient(build_app(serving), base_url="http://127.0.0.1:8080") as browser:
                    browser.get(serving.tiktok_model().approve(state, redirect_url))
                return
            time.sleep(0.05)

    helper = threading.Thread(target=seller)
    helper.start()
    result = CliRunner().invoke(main, ["stores", "authorize", "Via Serve", "--timeout", "20"], obj=lambda **extra: serving)
    helper.join(20)

    assert result.exit_code == 0, result.output + result.stderr
    assert "Via Serve is connected" in result.stdout
    assert "tiktok-oms serve" in result.stderr
