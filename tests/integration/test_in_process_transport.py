"""One face of TikTok: `--in-memory` and the fast tests reach the simulator through the production
client and gateway, over a transport that runs the sandbox app in process."""

import asyncio
import threading
from datetime import UTC, datetime

import httpx
import pytest

from adapters.clock import FixedClock
from adapters.container import Container
from adapters.sandbox.app import create_app
from adapters.sandbox.faults import Fault
from adapters.sandbox.inprocess import InProcessTikTokShop, InProcessTransport, in_process_client
from adapters.sandbox.model import TikTokShopModel
from adapters.settings import Settings
from adapters.tiktok.gateway import HttpxTikTokShop
from application.errors import AuthorizationFailed, AuthorizationRevoked, TikTokError, TikTokUnavailable
from domain.stores import Connection
from tests.builders import T0

pytestmark = pytest.mark.integration
AUTHORIZE = "http://127.0.0.1/open/authorize"


def connected(model: TikTokShopModel, gateway: HttpxTikTokShop) -> tuple[str, str]:
    shop = model.add_shop("Shop")
    redirect = model.approve("state-1", "http://127.0.0.1:8765/callback")
    grant = gateway.exchange_code(httpx.URL(redirect).params["code"])
    return grant.access_token, shop.cipher


def test_the_in_memory_mode_uses_the_production_gateway_over_the_sandbox_app() -> None:
    container = Container(settings=Settings(_env_file=None, in_memory=True))
    with container.clock.override(FixedClock(T0)):
        gateway = container.tiktok()
        assert type(gateway) is InProcessTikTokShop and isinstance(gateway, HttpxTikTokShop)
        app = container.sandbox_app()
        with pytest.raises(AuthorizationFailed, match=r"^TikTok refused GET /api/v2/token/get: "):
            gateway.exchange_code("no-such-code")
        assert [e.path for e in app.state.requests.entries] == ["/api/v2/token/get"]


def test_a_refusal_reads_as_it_does_from_tiktok_with_code_and_request_id() -> None:
    model = TikTokShopModel()
    gateway = InProcessTikTokShop(model, authorize_url=AUTHORIZE)
    model.add_shop("Shop")

    with pytest.raises(AuthorizationRevoked, match=r"^authorization revoked on GET /authorization/202309/shops: "
                                                   r"access token is invalid \(code 105001, HTTP 401") as refused:
        gateway.authorized_shops("no-such-token")

    assert refused.value.code == 105001
    assert getattr(refused.value, "request_id", None)


def test_requests_are_signed_and_a_wrong_secret_is_refused_by_the_simulator() -> None:
    model = TikTokShopModel()
    token, cipher = connected(model, InProcessTikTokShop(model, authorize_url=AUTHORIZE))
    client, http = in_process_client(model)
    client._app_secret = "not-the-secret"  # noqa: SLF001 (a misconfigured app)

    with pytest.raises(TikTokError, match="signature of GET .* is invalid"):
        client.call("GET", "/logistics/202309/delivery_options/1/shipping_providers", access_token=token,
                    shop_cipher=cipher)
    http.close()


def test_faults_scripted_on_the_app_reach_the_client_like_network_failures() -> None:
    model = TikTokShopModel()
    app = create_app(model)
    gateway = InProcessTikTokShop(model, authorize_url=AUTHORIZE, app=app)
    token, cipher = connected(model, gateway)
    path = "/logistics/202309/delivery_options/1/shipping_providers"
    client, _ = in_process_client(model, app=app)

    app.state.faults.add(Fault.drop(path=path), Fault.truncated(path=path), Fault.unavailable(path=path))
    assert client.call("GET", path, access_token=token, shop_cipher=cipher)["shipping_providers"]
    assert app.state.faults.pending == []

    app.state.faults.add(Fault.drop(path=path, times=5))
    with pytest.raises(TikTokUnavailable, match="ReadError"):
        client.call("GET", path, access_token=token, shop_cipher=cipher)


def test_an_app_that_really_waits_is_finished_on_the_callers_event_loop() -> None:
    model = TikTokShopModel()
    app = create_app(model)
    gateway = InProcessTikTokShop(model, authorize_url=AUTHORIZE, app=app)
    token, cipher = connected(model, gateway)
    app.state.faults.add(Fault.slow(0.01))

    assert gateway.shipping_providers(_conn(token, cipher), delivery_option_id="1")


def test_it_answers_from_other_threads_and_from_inside_a_running_event_loop() -> None:
    model = TikTokShopModel()
    gateway = InProcessTikTokShop(model, authorize_url=AUTHORIZE)
    token, cipher = connected(model, gateway)
    found: list[int] = []

    def call() -> None:
        found.append(len(gateway.shipping_providers(_conn(token, cipher), delivery_option_id="1")))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    async def from_async_code() -> None:
        call()

    asyncio.run(from_async_code())
    assert found == [3, 3, 3, 3]


def test_an_app_that_never_answers_is_a_protocol_error() -> None:
    async def silent(scope: object, receive: object, send: object) -> None:
        return None

    with httpx.Client(transport=InProcessTransport(silent), base_url="http://127.0.0.1") as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/")


def _conn(token: str, cipher: str) -> Connection:
    far = datetime(2100, 1, 1, tzinfo=UTC)
    return Connection("shop", cipher, "Shop", token, far, "refresh", far, ())
