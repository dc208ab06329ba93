"""Benchmark mode: order search served from pages rendered once, so the sandbox is never the bottleneck."""

from collections.abc import Callable
import json
import secrets

from starlette.requests import Request
from starlette.responses import Response

from adapters.sandbox.model import TikTokApiError, TikTokShopModel
from adapters.sandbox.gate import check_signed_call

class PrerenderedSearch:
    """A frozen copy of each shop's orders in search order, each already JSON text.

    It checks, pages and tokens through the model's own public search steps (`open_search`,
    `in_search_order`, `page_bounds`), so it answers exactly like `TikTokShopModel.search_orders`
    as long as the shop does not change, which holds for the benchmark's seeded shop.
    """

    def __init__(self, model: TikTokShopModel, log: Callable[[Request, int, int | None], None]) -> None:
        self._model = model
        self._log = log
        self._shops: dict[str, tuple[list[tuple[int, str]], list[bytes]]] = {}
        for shop in model.shops.values():
            ordered = model.in_search_order(shop)
            keys = [(o["update_time"], o["id"]) for o in ordered]
            rendered = [json.dumps(o, separators=(",", ":")).encode() for o in ordered]
            self._shops[shop.cipher] = (keys, rendered)

    async def answer(self, request: Request) -> Response:
        model = self._model
        query = dict(request.query_params)
        raw = await request.body()
        try:
            caller = check_signed_call(model, request.url.path, query, request.headers, raw, shop_scoped=True)
            size = query.get("page_size", "")
            if not size.isdigit():
                raise TikTokApiError(36009004, "param query.page_size is missing or not a number")
            shop, ge, lt = model.open_search(caller.access_token, caller.shop_cipher or "", page_size=int(size),
                                             body=json.loads(raw or b"{}"))
            keys, rendered = self._shops[shop.cipher]
            start, stop, end, next_token = model.page_bounds(keys, ge, lt, query.get("page_token") or None, int(size))
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
