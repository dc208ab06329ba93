"""Benchmark mode: order search served from pages rendered once, so the sandbox is never the bottleneck."""

import bisect
from collections.abc import Callable
import json
import secrets

from starlette.requests import Request
from starlette.responses import Response

from adapters.memory.tiktok_model import TikTokApiError, TikTokShopModel
from adapters.sandbox.gate import check_signed_call

_MAX_KEY = (2**62, "")


class PrerenderedSearch:
    """A frozen copy of each shop's orders, sorted by (update_time, id), each already JSON text.

    It answers exactly like `TikTokShopModel.search_orders` (same filters, keyset page tokens) as
    long as the shop does not change, which holds for the benchmark's seeded shop.
    """

    def __init__(self, model: TikTokShopModel, log: Callable[[Request, int, int | None], None]) -> None:
        self._model = model
        self._log = log
        self._shops: dict[str, tuple[list[tuple[int, str]], list[bytes]]] = {}
        for shop in model.shops.values():
            ordered = sorted(shop.orders.values(), key=lambda o: (o["update_time"], o["id"]))
            keys = [(o["update_time"], o["id"]) for o in ordered]
            rendered = [json.dumps(o, separators=(",", ":")).encode() for o in ordered]
            self._shops[shop.cipher] = (keys, rendered)

    async def answer(self, request: Request) -> Response:
        model = self._model
        query = dict(request.query_params)
        raw = await request.body()
        try:
            caller = check_signed_call(model, request.url.path, query, request.headers, raw, shop_scoped=True)
            model._authorize(caller.access_token, caller.shop_cipher, "search")  # noqa: SLF001 (same model, other face)
            body = json.loads(raw or b"{}")
            ge = int(body.get("update_time_ge") or 0)
            lt = int(body.get("update_time_lt") or model.now() + 1)
            size = int(query.get("page_size", "0"))
            if not 1 <= size <= 100:
                raise TikTokApiError(36009004, "page_size must be between 1 and 100")
            keys, rendered = self._shops[caller.shop_cipher or ""]
            token = query.get("page_token")
            start = bisect.bisect_right(keys, model._read_token(token, ge, lt)) if token else bisect.bisect_left(keys, (ge, ""))  # noqa: SLF001
            end = bisect.bisect_left(keys, (lt, ""), lo=start)
            stop = min(start + size, end)
            next_token = model._make_token({"update_time": keys[stop - 1][0], "id": keys[stop - 1][1]}, ge, lt) if stop < end else ""  # noqa: SLF001
            head = (
                '{"code":0,"message":"Success","request_id":"%s","data":{"next_page_token":"%s","total_count":%d,"orders":['
                % (secrets.token_hex(8), next_token, end - start)
            ).encode()
            self._log(request, 200, 0)
            return Response(head + b",".join(rendered[start:stop]) + b"]}}", media_type="application/json")
        except TikTokApiError as exc:
            self._log(request, exc.http_status, exc.code)
            envelope = {"code": exc.code, "message": exc.message, "request_id": secrets.token_hex(8), "data": None}
            return Response(json.dumps(envelope), status_code=exc.http_status, media_type="application/json")
