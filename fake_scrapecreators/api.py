"""The API side of the fake server, without HTTP plumbing.

Order of a request: route (unknown → 404) → latency → fault (scripted rules first, then random)
→ auth (401) → params (400) → credits (402) → resource (404) → 200. Errors cost nothing; a page
costs 1 credit; a cache hit costs 0.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import universe
from .state import Fault, State
from .universe import instagram, tiktok, youtube

INVALID_KEY = "invalid-key"
ERROR_SLUGS = {400: "bad_request", 401: "unauthorized", 402: "payment_required",
               403: "forbidden", 404: "not_found", 429: "too_many_requests",
               500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable",
               504: "gateway_timeout"}  # fmt: skip
ERROR_MESSAGES = {
    401: "Invalid API key",
    402: "You have no credits remaining. Purchase more at https://app.scrapecreators.com",
    403: "Forbidden",
    404: "Not found",
    429: "Too many requests, slow down",
    500: "Something went wrong scraping the platform. Please try again.",
}
TEXT_BODIES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
               504: "Gateway Timeout"}  # fmt: skip


def _int(params: dict[str, str], name: str) -> int:
    value = params.get(name, "")
    try:
        return int(value) if value else 0
    except ValueError as exc:
        raise universe.BadRequest(f"{name} must be a number") from exc


def _bool(params: dict[str, str], name: str) -> bool:
    return params.get(name, "").lower() in ("true", "1", "yes")


@dataclass(frozen=True)
class Route:
    build: Callable[[dict[str, str], str], dict]  # (params, base_url) → body without envelope
    cache_key: Callable[[dict[str, str]], str] | None = None  # cacheable endpoints only


ROUTES: dict[str, Route] = {
    "/v1/tiktok/search/keyword": Route(
        lambda p, b: universe.tiktok_keyword_page(
            p.get("query", ""), _int(p, "cursor"), _bool(p, "trim"), b, p.get("sort_by", "")
        )
    ),
    "/v1/tiktok/search/users": Route(
        lambda p, b: universe.tiktok_users_page(p.get("query", ""), _int(p, "cursor"), b)
    ),
    "/v1/tiktok/profile": Route(
        lambda p, b: universe.tiktok_profile(p.get("handle"), p.get("user_id"), b),
        lambda p: tiktok.resolve(p.get("handle"), p.get("user_id")),
    ),
    "/v1/tiktok/user/following": Route(
        lambda p, b: universe.tiktok_following_page(
            p.get("handle"), _int(p, "min_time") or None, p.get("user_id"), b
        )
    ),
    "/v1/instagram/search/hashtag": Route(
        lambda p, b: universe.instagram_hashtag_page(
            p.get("hashtag", ""), p.get("cursor"), p.get("media_type"), b
        )
    ),
    "/v1/instagram/profile": Route(
        lambda p, b: universe.instagram_profile(p.get("handle"), b),
        lambda p: instagram.resolve(p.get("handle")),
    ),
    "/v1/youtube/search": Route(
        lambda p, b: universe.youtube_search_page(
            p.get("query", ""), p.get("continuationToken") or None, b
        )
    ),
    "/v1/youtube/channel": Route(
        lambda p, b: universe.youtube_channel(p.get("handle"), p.get("channelId"), p.get("url"), b),
        lambda p: youtube.resolve_channel(p.get("handle"), p.get("channelId"), p.get("url")),
    ),
    # Recent posts, for creator metrics.
    "/v3/tiktok/profile/videos": Route(
        lambda p, b: universe.tiktok_profile_videos(
            handle=p.get("handle"),
            user_id=p.get("user_id"),
            max_cursor=p.get("max_cursor"),
            sort_by=p.get("sort_by"),
            trim=_bool(p, "trim"),
            base_url=b,
        )
    ),
    "/v2/instagram/user/posts": Route(
        lambda p, b: universe.instagram_user_posts(p.get("handle"), p.get("next_max_id"), b)
    ),
    "/v1/instagram/user/reels": Route(
        lambda p, b: universe.instagram_user_reels(
            p.get("handle"), p.get("user_id"), p.get("max_id"), b
        )
    ),
    "/v1/youtube/channel-videos": Route(
        lambda p, b: universe.youtube_channel_videos(
            handle=p.get("handle"),
            channel_id=p.get("channelId"),
            sort=p.get("sort"),
            continuation_token=p.get("continuationToken"),
            include_extras=_bool(p, "includeExtras"),
            base_url=b,
        )
    ),
}
# The parameter that asks for a later page, and the list of items in each page's body.
CURSOR_PARAMS = ("cursor", "min_time", "continuationToken")
PAGE_ITEMS = {
    "/v1/tiktok/search/keyword": "search_item_list",
    "/v1/tiktok/search/users": "users",
    "/v1/tiktok/user/following": "followings",
    "/v1/instagram/search/hashtag": "posts",
}


def _emptied(path: str, payload: dict) -> dict:
    """A later page with no items that still says there are more (a real-API quirk)."""
    key = PAGE_ITEMS.get(path)
    if key is None:
        return payload
    return {**payload, key: [], "has_more": True} if "has_more" in payload else {**payload, key: []}


BALANCE_ROUTES = ("/v1/account/credit-balance", "/v1/credit-balance")


@dataclass
class ApiResult:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False  # close the socket without any response
    log: dict[str, Any] = field(default_factory=dict)  # fault, credits_charged, cached


def _json(status: int, obj: Any, **kw: Any) -> ApiResult:
    return ApiResult(status, json.dumps(obj, ensure_ascii=False).encode(), **kw)


def error_body(state: State, code: int, message: str, key: str) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False}
    if code != 401 and key and key != INVALID_KEY:
        body["credits_remaining"] = state.balance(key)
    body.update({"error": ERROR_SLUGS.get(code, "error"), "errorStatus": code, "message": message})
    return body


def handle(state: State, path: str, params: dict[str, str], key: str, base_url: str) -> ApiResult:
    """Answer one API request (sleeps for latency and "timeout" faults in the calling thread)."""
    route = ROUTES.get(path)
    if route is None and path not in BALANCE_ROUTES:
        return _json(404, {"success": False, "error": "not_found", "errorStatus": 404,
                           "message": "Endpoint not found"})  # fmt: skip
    wait = state.admit()
    if wait is not None:  # over the upstream's own ceiling
        result = _fault(state, Fault("429", retry_after=wait), key)
        result.log["fault"] = "ceiling"
        return result
    try:
        return _admitted(state, path, route, params, key, base_url)
    finally:
        state.release()


def _admitted(
    state: State, path: str, route: Route | None, params: dict[str, str], key: str, base_url: str
) -> ApiResult:
    if delay := state.delay(path):
        time.sleep(delay)
    fault = state.next_fault(path, params)
    if fault is None or fault.kind == "timeout":
        if fault:
            time.sleep(state.config.timeout_sleep)
        result = _answer(state, path, route, params, key, base_url)
    elif fault.kind == "malformed":  # a paid 200 whose JSON got cut off
        result = _answer(state, path, route, params, key, base_url)
        result.status, result.body = 200, result.body[: max(1, len(result.body) // 2)]
    else:
        result = _fault(state, fault, key)
    result.log["fault"] = fault.kind if fault else None
    return result


def _fault(state: State, fault: Fault, key: str) -> ApiResult:
    kind = fault.kind
    if kind == "disconnect":
        return ApiResult(0, disconnect=True)
    if kind == "empty":
        return ApiResult(200)
    if kind.startswith("text"):
        code = int(kind[4:])
        body = TEXT_BODIES.get(code, "Error").encode()
        return ApiResult(code, body, "text/plain; charset=utf-8")
    code = int(kind)
    headers = {}
    if code == 429:
        retry = fault.retry_after if fault.retry_after is not None else state.config.retry_after
        headers["Retry-After"] = f"{retry:g}"
    message = ERROR_MESSAGES.get(code, "Upstream error")
    return _json(code, error_body(state, code, message, key), headers=headers)


def _answer(
    state: State,
    path: str,
    route: Route | None,
    params: dict[str, str],
    key: str,
    base_url: str,
) -> ApiResult:
    def err(code: int, message: str) -> ApiResult:
        return _json(code, error_body(state, code, message, key))

    if not key or key == INVALID_KEY:
        return err(401, ERROR_MESSAGES[401])
    if route is None:  # the balance endpoints are free
        balance: int | None = state.balance(key)
        if path == "/v1/credit-balance":
            message = f"You have {balance} credits remaining."
            return _json(200, {"creditCount": balance, "message": message, "success": True})
        return _json(200, {"success": True, "credits_remaining": balance, "credits_charged": 0,
                           "creditCount": balance})  # fmt: skip
    cache_key = hit = None
    try:
        age = params.get("cache_max_age")
        if age is not None and age not in universe.CACHE_AGES:
            raise universe.BadRequest("cache_max_age must be one of 1d, 3d, 7d, 14d, 30d")
        if route.cache_key is not None:
            cache_key = (path, route.cache_key(params))
            hit = state.cache_get(cache_key)
            if hit and (age is None or time.time() - hit[1] > universe.CACHE_AGES[age]):
                hit = None
        quirk = state.config.page_quirks.get(path)
        cursor = next((n for n in CURSOR_PARAMS if params.get(n)), None)
        if quirk == "repeat" and cursor:
            params = {k: v for k, v in params.items() if k != cursor}
        payload = hit[0] if hit else route.build(params, base_url)
        if quirk == "empty" and cursor:
            payload = _emptied(path, payload)
    except universe.FakeError as exc:
        return err(exc.status, exc.message)
    cost = 0 if hit else 1
    balance = state.charge(key, cost)
    if balance is None:
        return err(402, ERROR_MESSAGES[402])
    if cache_key is not None and not hit:
        state.cache_put(cache_key, payload, time.time())
    body = universe.with_envelope(payload, balance, cost, hit[1] if hit else None)
    return _json(200, body, log={"credits_charged": cost, "cached": bool(hit)})
