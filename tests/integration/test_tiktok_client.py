import contextlib
import logging
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import stamina

from adapters.tiktok.client import TikTokHttpClient, _stamina, open_http_client
from adapters.tiktok.signing import sign
from application.errors import (
    ApplicationError,
    AccessTokenExpired,
    AuthorizationFailed,
    AuthorizationRevoked,
    TikTokError,
    TikTokRefused,
    TikTokUnavailable,
)
from tests.retries import Retries, recorded_retries

pytestmark = pytest.mark.integration

APP_KEY = "app-key-123"
APP_SECRET = "app-secret-s3cr3t"
ACCESS_TOKEN = "access-token-TTP_abc"
AUTH_CODE = "auth-code-xyz"
REFRESH_TOKEN = "refresh-token-RTK_def"
NOW = 1_700_000_000.0
API = "https://open-api.example.test"
AUTH = "https://auth.example.test"

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


def ok(data: Any = None) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "rid-ok", "data": data})


def refused(code: int, message: str = "nope", status: int = 200, **headers: str) -> httpx.Response:
    body = {"code": code, "message": message, "request_id": "rid-42", "data": None}
    return httpx.Response(status, json=body, headers=headers)


def raising(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("boom", request=request)

    return handler


class FakeTikTok:
    """Answers requests from a script (the last reply repeats) and records what was sent."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [ok({})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request) if callable(reply) else reply


@pytest.fixture
def retries() -> Iterator[Retries]:
    """The retries made (stamina's testing mode, tests/conftest.py: none of them sleeps)."""
    with recorded_retries() as recorded:
        yield recorded


def make_client(tiktok: FakeTikTok, clock: Callable[[], float] = lambda: NOW, **options: Any) -> TikTokHttpClient:
    return TikTokHttpClient(
        httpx.Client(transport=httpx.MockTransport(tiktok)),
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        api_base_url=API,
        auth_base_url=AUTH,
        now=clock,
        **options,
    )


def get_orders(client: TikTokHttpClient, **options: Any) -> dict[str, Any]:
    return client.call("GET", "/order/202309/orders", query={"ids": ["1", "2"]}, access_token=ACCESS_TOKEN,
                       shop_cipher="ROW_abc", **options)


def cancel(client: TikTokHttpClient) -> dict[str, Any]:
    return client.call("POST", "/return_refund/202309/cancellations", body={"order_id": "1"},
                       access_token=ACCESS_TOKEN, shop_cipher="ROW_abc", retry=False)


class TestRequestShape:
    def test_a_shop_call_sends_app_key_int_timestamp_sign_cipher_and_joined_lists(self) -> None:
        tiktok = FakeTikTok()

        get_orders(make_client(tiktok, clock=lambda: NOW + 0.7))

        request = tiktok.requests[0]
        params = dict(request.url.params.multi_items())
        assert request.method == "GET"
        assert str(request.url).startswith(f"{API}/order/202309/orders?")
        assert set(params) == {"ids", "app_key", "timestamp", "shop_cipher", "sign"}
        assert params["app_key"] == APP_KEY
        assert params["timestamp"] == "1700000000"
        assert params["shop_cipher"] == "ROW_abc"
        assert params["ids"] == "1,2"
        assert params["sign"] == sign(APP_SECRET, "/order/202309/orders", params)

    def test_the_access_token_travels_in_the_header_and_never_in_the_url(self) -> None:
        tiktok = FakeTikTok()

        get_orders(make_client(tiktok))

        request = tiktok.requests[0]
        assert request.headers["x-tts-access-token"] == ACCESS_TOKEN
        assert request.headers["content-type"] == "application/json"
        assert "access_token" not in request.url.params
        assert ACCESS_TOKEN not in str(request.url)
        assert APP_SECRET not in str(request.url)
        assert request.content == b""

    def test_shop_cipher_is_only_sent_when_given(self) -> None:
        tiktok = FakeTikTok()

        make_client(tiktok).call("GET", "/authorization/202309/shops", access_token=ACCESS_TOKEN)

        assert "shop_cipher" not in tiktok.requests[0].url.params

    def test_shop_cipher_is_refused_on_authorization_paths_before_sending(self) -> None:
        tiktok = FakeTikTok()

        with pytest.raises(ValueError, match="shop_cipher"):
            make_client(tiktok).call("GET", "/authorization/202309/shops", access_token=ACCESS_TOKEN,
                                     shop_cipher="ROW_abc")
        assert tiktok.requests == []

    def test_a_body_is_sent_as_the_exact_compact_bytes_that_were_signed(self) -> None:
        tiktok = FakeTikTok()

        make_client(tiktok).call("POST", "/order/202309/orders/search", query={"page_size": 50},
                                 body={"order_status": "AWAITING_SHIPMENT", "note": "Café"},
                                 access_token=ACCESS_TOKEN, shop_cipher="ROW_abc")

        request = tiktok.requests[0]
        params = dict(request.url.params.multi_items())
        assert request.content == '{"order_status":"AWAITING_SHIPMENT","note":"Café"}'.encode()
        assert params["page_size"] == "50"
        assert params["sign"] == sign(APP_SECRET, "/order/202309/orders/search", params, request.content)

    def test_a_query_may_not_override_the_parameters_the_client_adds(self) -> None:
        with pytest.raises(ValueError):
            make_client(FakeTikTok()).call("GET", "/x", query={"sign": "forged"}, access_token=ACCESS_TOKEN)

    def test_every_retry_is_signed_again_with_a_fresh_timestamp(self) -> None:
        tiktok = FakeTikTok(httpx.Response(503), ok({}))
        ticks = iter([NOW, NOW + 7])

        get_orders(make_client(tiktok, clock=lambda: next(ticks)))

        stamps = [dict(r.url.params.multi_items()) for r in tiktok.requests]
        assert [p["timestamp"] for p in stamps] == ["1700000000", "1700000007"]
        assert all(p["sign"] == sign(APP_SECRET, "/order/202309/orders", p) for p in stamps)


class TestAnswers:
    def test_code_zero_returns_the_data(self) -> None:
        assert get_orders(make_client(FakeTikTok(ok({"orders": [{"id": "1"}]})))) == {"orders": [{"id": "1"}]}

    def test_null_data_becomes_an_empty_dict(self) -> None:
        assert get_orders(make_client(FakeTikTok(ok(None)))) == {}

    def test_code_zero_is_success_whatever_the_http_status(self) -> None:
        answer = httpx.Response(202, json={"code": 0, "message": "", "data": {"a": 1}})

        assert get_orders(make_client(FakeTikTok(answer))) == {"a": 1}

    @pytest.mark.parametrize(
        "code, status, error",
        [
            (105002, 401, AccessTokenExpired),
            (105002, 200, AccessTokenExpired),
            (105001, 401, AuthorizationRevoked),
            (106001, 401, TikTokError),
            (25001021, 200, TikTokRefused),
            (36009004, 400, TikTokRefused),
        ],
    )
    def test_error_codes_map_to_errors_and_are_not_retried(self, code: int, status: int,
                                                           error: type[TikTokError], retries: Retries) -> None:
        tiktok = FakeTikTok(refused(code, "TikTok says no", status))

        with pytest.raises(error) as raised:
            get_orders(make_client(tiktok))

        assert type(raised.value) is error
        assert raised.value.code == code
        assert raised.value.request_id == "rid-42"  # type: ignore[attr-defined]
        assert len(tiktok.requests) == 1
        assert len(retries) == 0

    def test_an_invalid_signature_names_the_likely_causes(self) -> None:
        with pytest.raises(TikTokError, match="signature.*app secret.*clock"):
            get_orders(make_client(FakeTikTok(refused(106001, "The 'sign' query parameter is invalid", 401))))

    def test_an_error_message_names_tiktoks_message_code_and_path_but_not_the_query(self) -> None:
        with pytest.raises(TikTokRefused) as raised:
            get_orders(make_client(FakeTikTok(refused(21011044, "Order is on hold"))))

        text = str(raised.value)
        assert "Order is on hold" in text
        assert "21011044" in text
        assert "/order/202309/orders" in text
        assert "sign" not in text and "?" not in text and APP_KEY not in text

    def test_a_non_json_client_error_is_a_tiktok_error_and_not_retried(self) -> None:
        tiktok = FakeTikTok(httpx.Response(404, text="<html>Not Found</html>"))

        with pytest.raises(TikTokError) as raised:
            get_orders(make_client(tiktok))

        assert not isinstance(raised.value, TikTokUnavailable | TikTokRefused)
        assert len(tiktok.requests) == 1

    def test_a_secret_echoed_by_tiktok_never_reaches_the_exception(self) -> None:
        echo = refused(36009004, f"invalid access token {ACCESS_TOKEN} for app secret {APP_SECRET}")

        with pytest.raises(TikTokRefused) as raised:
            get_orders(make_client(FakeTikTok(echo)))

        assert ACCESS_TOKEN not in str(raised.value)
        assert APP_SECRET not in str(raised.value)


class TestRetries:
    @pytest.mark.parametrize(
        "failure",
        [
            httpx.Response(429),
            refused(36009002, "Too many requests"),
            refused(36009003, "Internal error"),
            refused(36009007, "Request timeout"),
            httpx.Response(503, text="Service Unavailable"),
            httpx.Response(500, json={"code": 36009003, "message": "busy"}),
            httpx.Response(200, content=b'{"code":0,"message":"Succ'),
            raising(httpx.ReadError),
            raising(httpx.ReadTimeout),
            raising(httpx.ConnectError),
            raising(httpx.ConnectTimeout),
            raising(httpx.RemoteProtocolError),
        ],
        ids=["429", "36009002", "36009003", "36009007", "503", "500", "truncated-json", "reset",
             "read-timeout", "refused-connection", "connect-timeout", "server-disconnected"],
    )
    def test_a_transient_failure_is_retried_then_succeeds(self, failure: Reply, retries: Retries) -> None:
        tiktok = FakeTikTok(failure, ok({"done": True}))

        assert get_orders(make_client(tiktok)) == {"done": True}

        assert len(tiktok.requests) == 2
        assert retries.waits == [None]  # no Retry-After: stamina's exponential backoff

    def test_retry_after_in_seconds_is_honoured(self, retries: Retries) -> None:
        get_orders(make_client(FakeTikTok(httpx.Response(429, headers={"Retry-After": "3"}), ok({}))))

        assert retries.waits == [3.0]

    def test_retry_after_as_an_http_date_is_honoured(self, retries: Retries) -> None:
        later = "Tue, 14 Nov 2023 22:13:30 GMT"  # NOW + 10 s

        get_orders(make_client(FakeTikTok(httpx.Response(503, headers={"Retry-After": later}), ok({}))))

        assert retries.waits == [pytest.approx(10.0)]

    def test_retry_after_is_capped_by_max_wait(self, retries: Retries) -> None:
        get_orders(make_client(FakeTikTok(httpx.Response(429, headers={"Retry-After": "3600"}), ok({})),
                               max_wait=5.0))

        assert retries.waits == [5.0]

    def test_backoff_grows_from_first_wait_and_stays_within_max_wait(self) -> None:
        # Out of testing mode, with waits of milliseconds: stamina really sleeps, its hook reports each wait.
        waits: list[float] = []
        _stamina()  # configured as the client uses it, before this test adds its hook
        hooks = stamina.instrumentation.get_on_retry_hooks()
        stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
        try:
            with stamina.set_testing(False), pytest.raises(TikTokUnavailable):
                get_orders(make_client(FakeTikTok(httpx.Response(503)), max_attempts=6, first_wait=0.001,
                                       max_wait=0.006))
        finally:
            stamina.instrumentation.set_on_retry_hooks(hooks)

        assert len(waits) == 5
        assert all(0.001 - 1e-9 <= w <= 0.006 + 1e-9 for w in waits)
        assert waits[0] <= 0.002 + 1e-9 and waits[-1] == pytest.approx(0.006)

    def test_the_total_time_of_one_call_is_bounded(self) -> None:
        # Each wait is at least 50 ms, so a 0.2 s bound stops a 1,000-attempt budget after at most 5 attempts.
        tiktok = FakeTikTok(httpx.Response(503))

        with stamina.set_testing(False), pytest.raises(TikTokUnavailable):
            get_orders(make_client(tiktok, max_attempts=1_000, first_wait=0.05, max_wait=0.05, max_total=0.2))

        assert 1 <= len(tiktok.requests) <= 5

    def test_exhausted_retries_raise_unavailable_after_exactly_max_attempts(self, retries: Retries) -> None:
        tiktok = FakeTikTok(refused(36009003, "System busy", 200))

        with pytest.raises(TikTokUnavailable) as raised:
            get_orders(make_client(tiktok, max_attempts=4))

        assert len(tiktok.requests) == 4
        assert len(retries) == 3
        assert "after 4 attempt(s)" in str(raised.value)
        assert "System busy" in str(raised.value) and "36009003" in str(raised.value)
        assert raised.value.code == 36009003
        assert raised.value.request_id == "rid-42"  # type: ignore[attr-defined]

    def test_exhausted_retries_name_a_transport_failure_as_the_cause(self) -> None:
        with pytest.raises(TikTokUnavailable, match="ReadTimeout"):
            get_orders(make_client(FakeTikTok(raising(httpx.ReadTimeout)), max_attempts=2))

    @pytest.mark.parametrize(
        "failure",
        [httpx.Response(503), httpx.Response(200, content=b'{"code":0'), raising(httpx.ReadTimeout),
         raising(httpx.ReadError), refused(36009003, "Internal error")],
        ids=["503", "truncated-json", "read-timeout", "reset", "36009003"],
    )
    def test_a_mutating_call_is_not_resent_after_an_ambiguous_failure(self, failure: Reply) -> None:
        tiktok = FakeTikTok(failure, ok({}))

        with pytest.raises(TikTokUnavailable, match="may have been applied"):
            cancel(make_client(tiktok))

        assert len(tiktok.requests) == 1

    @pytest.mark.parametrize(
        "failure",
        [raising(httpx.ConnectError), raising(httpx.ConnectTimeout), httpx.Response(429),
         refused(36009002, "Too many requests")],
        ids=["refused-connection", "connect-timeout", "429", "36009002"],
    )
    def test_a_mutating_call_is_resent_when_tiktok_certainly_did_not_act(self, failure: Reply) -> None:
        tiktok = FakeTikTok(failure, ok({"cancel_id": "c1"}))

        assert cancel(make_client(tiktok)) == {"cancel_id": "c1"}
        assert len(tiktok.requests) == 2


class TestTokens:
    def test_get_token_is_an_unsigned_get_on_the_auth_host(self) -> None:
        tiktok = FakeTikTok(ok({"access_token": "new-access", "refresh_token": "new-refresh"}))

        data = make_client(tiktok).get_token(AUTH_CODE)

        request = tiktok.requests[0]
        assert data == {"access_token": "new-access", "refresh_token": "new-refresh"}
        assert request.method == "GET"
        assert str(request.url).startswith(f"{AUTH}/api/v2/token/get?")
        assert dict(request.url.params.multi_items()) == {
            "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": AUTH_CODE, "grant_type": "authorized_code"}

    def test_refresh_token_is_an_unsigned_get_on_the_auth_host(self) -> None:
        tiktok = FakeTikTok(ok({"access_token": "new-access"}))

        make_client(tiktok).refresh_token(REFRESH_TOKEN)

        request = tiktok.requests[0]
        assert request.method == "GET"
        assert str(request.url).startswith(f"{AUTH}/api/v2/token/refresh?")
        assert dict(request.url.params.multi_items()) == {
            "app_key": APP_KEY, "app_secret": APP_SECRET, "refresh_token": REFRESH_TOKEN,
            "grant_type": "refresh_token"}

    def test_a_refused_auth_code_raises_authorization_failed_without_secrets(self) -> None:
        echo = refused(36004004, f"auth_code {AUTH_CODE} is expired (app_secret={APP_SECRET})")

        with pytest.raises(AuthorizationFailed) as raised:
            make_client(FakeTikTok(echo)).get_token(AUTH_CODE)

        assert "is expired" in str(raised.value) and "36004004" in str(raised.value)
        assert AUTH_CODE not in str(raised.value) and APP_SECRET not in str(raised.value)

    def test_a_refresh_is_not_resent_after_an_ambiguous_failure(self) -> None:
        # TikTok may already have rotated the refresh token: resending the old one would look revoked.
        tiktok = FakeTikTok(httpx.Response(503), ok({"access_token": "new-access"}))

        with pytest.raises(TikTokUnavailable, match="may have been applied"):
            make_client(tiktok).refresh_token(REFRESH_TOKEN)

        assert len(tiktok.requests) == 1

    def test_a_refused_refresh_raises_authorization_revoked_without_secrets(self) -> None:
        echo = refused(105002, f"refresh_token {REFRESH_TOKEN} is expired")

        with pytest.raises(AuthorizationRevoked) as raised:
            make_client(FakeTikTok(echo)).refresh_token(REFRESH_TOKEN)

        assert REFRESH_TOKEN not in str(raised.value) and APP_SECRET not in str(raised.value)

    def test_an_unreachable_auth_host_raises_unavailable_without_secrets(self) -> None:
        with pytest.raises(TikTokUnavailable) as raised:
            make_client(FakeTikTok(raising(httpx.ConnectError)), max_attempts=2).get_token(AUTH_CODE)

        assert AUTH_CODE not in str(raised.value) and APP_SECRET not in str(raised.value)


def test_debug_logs_never_contain_secrets_or_the_query(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(FakeTikTok(httpx.Response(503), ok({"access_token": "fresh-access"})))

    get_orders(client)
    client.refresh_token(REFRESH_TOKEN)
    client.get_token(AUTH_CODE)

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/order/202309/orders" in text
    for secret in (APP_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, AUTH_CODE, "sign=", "fresh-access"):
        assert secret not in text


def test_stamina_logs_no_retry_of_its_own_the_client_logs_them_scrubbed() -> None:
    get_orders(make_client(FakeTikTok(httpx.Response(503), ok({}))))

    assert stamina.instrumentation.get_on_retry_hooks() == ()


def test_httpx_request_logging_is_silenced_because_urls_carry_secrets() -> None:
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING


def test_the_production_http_client_has_explicit_timeouts() -> None:
    with open_http_client(timeout_seconds=12.0) as http:
        assert http.timeout == httpx.Timeout(10.0, connect=5.0, read=12.0, pool=5.0)


class TestEndpoints:
    def test_tiktoks_real_hosts_refuse_the_sandboxs_default_credentials(self) -> None:
        with pytest.raises(ApplicationError, match="set TIKTOK_APP_KEY and TIKTOK_APP_SECRET"):
            TikTokHttpClient(httpx.Client(), app_key="sandbox-app-key", app_secret="s",
                             api_base_url="https://open-api.tiktokglobalshop.com", auth_base_url="https://auth.tiktok-shops.com")

    def test_plain_http_is_only_for_the_sandbox_on_this_machine(self) -> None:
        with pytest.raises(ApplicationError, match="over https"):
            TikTokHttpClient(httpx.Client(), app_key="k", app_secret="s",
                             api_base_url="http://tiktok.example.com", auth_base_url="https://auth.tiktok-shops.com")
        TikTokHttpClient(httpx.Client(), app_key="sandbox-app-key", app_secret="s",
                         api_base_url="http://127.0.0.1:8900", auth_base_url="http://127.0.0.1:8900")


class TestTls:
    """Issue 9 item 8: a TLS failure is not transient; it fails at once, in one line."""

    def test_a_certificate_failure_is_one_attempt_and_one_line(self, retries: Retries) -> None:
        def untrusted(request: httpx.Request) -> httpx.Response:
            cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
            raise httpx.ConnectError("certificate verify failed", request=request) from cause

        tiktok = FakeTikTok(untrusted, ok({}))

        with pytest.raises(TikTokError) as raised:
            get_orders(make_client(tiktok))

        assert len(tiktok.requests) == 1 and len(retries) == 0
        assert not isinstance(raised.value, TikTokUnavailable)
        message = str(raised.value)
        assert "\n" not in message
        assert message.startswith("TikTok could not be reached securely at open-api.example.test "
                                  "(GET /order/202309/orders): its TLS certificate was refused")
        assert "not retried" in message and "sign=" not in message and ACCESS_TOKEN not in message

    def test_an_eof_during_the_handshake_is_a_dropped_connection_and_retried(self, retries: Retries) -> None:
        def dropped(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("EOF", request=request) from ssl.SSLEOFError(8, "EOF occurred in violation")

        assert get_orders(make_client(FakeTikTok(dropped, ok({"a": 1})))) == {"a": 1}
        assert len(retries) == 1

    def test_a_self_signed_server_on_loopback_is_refused_after_one_connection(self, tmp_path: Any) -> None:
        with loopback_server(tls=self_signed(tmp_path)) as server:
            with pytest.raises(TikTokError, match="its TLS certificate was refused .*self.signed") as raised:
                get_orders(real_client(server.url))

        assert server.connections == 1
        assert "\n" not in str(raised.value)

    def test_a_server_that_does_not_speak_tls_is_refused_after_one_connection(self) -> None:
        with loopback_server(tls=None) as server:
            with pytest.raises(TikTokError, match="the TLS handshake failed") as raised:
                real_client(server.url).get_token(AUTH_CODE)

        assert server.connections == 1
        assert AUTH_CODE not in str(raised.value) and APP_SECRET not in str(raised.value)


def real_client(url: str) -> TikTokHttpClient:
    return TikTokHttpClient(open_http_client(5.0), app_key="sandbox-app-key", app_secret=APP_SECRET,
                            api_base_url=url, auth_base_url=url)


def self_signed(folder: Any) -> ssl.SSLContext:
    """A server context whose certificate for 127.0.0.1 nobody vouches for."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    pem = folder / "server.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    return context


class LoopbackServer:
    def __init__(self, tls: ssl.SSLContext | None) -> None:
        import socket
        import threading

        self.tls, self.connections = tls, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.settimeout(5)
            try:
                if self.tls is None:  # plain HTTP where TLS was expected
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                else:
                    self.tls.wrap_socket(conn, server_side=True).close()
            except (OSError, ssl.SSLError):
                pass  # the client hung up on the handshake, as it should
            finally:
                conn.close()


@contextlib.contextmanager
def loopback_server(tls: ssl.SSLContext | None) -> Iterator[LoopbackServer]:
    """A one-thread server on 127.0.0.1 that counts connections: TLS with `tls`, else plain HTTP."""
    server = LoopbackServer(tls)
    server.thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.thread.join(timeout=5)
        server.sock.close()
