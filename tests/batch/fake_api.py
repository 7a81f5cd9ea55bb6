"""A local stand-in for the Message Batches and token-counting endpoints, for the real `anthropic` SDK to talk to.

Requests are checked against the SDK's own request types (`batch_create_params.Request`,
`MessageCountTokensParams`) and every answer is built from the SDK's response models (`MessageBatch`, `Message`,
`MessageBatchIndividualResponse`), so a shape the SDK would not send or could not read fails here.

Deterministic: tokens are 1 per 4 characters (+3 per request, +2 for a system prompt); batches end on their first
retrieve unless told otherwise; the first request of a system prompt writes the 1-hour cache and later ones read
it. Scriptable: `fail(...)` queues HTTP errors, `outcomes` sets per-custom_id results, `expire_all` ends batches
expired, `hold_create(n)` parks the n-th create (before or after creating the batch) until `release()`,
`fail_after_create` makes creates create the batch and then answer an error (the batch unlisted for a while, as a
batch the server is still creating may be), `bad_usage` gives those custom_ids' results unusable token counts.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pydantic
from anthropic.types import Message, MessageTokensCount, TextBlock, Usage
from anthropic.types.message_count_tokens_params import MessageCountTokensParams
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse, MessageBatchRequestCounts
from anthropic.types.messages.batch_create_params import Request

_REQUEST = pydantic.TypeAdapter(Request)
_COUNT = pydantic.TypeAdapter(MessageCountTokensParams)
_CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HOLD_TIMEOUT_S = 120  # a parked create gives up after this (the test failed to release it)


def tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content)


def request_tokens(body: dict[str, Any]) -> tuple[int, int]:
    """(all input tokens, tokens of the system prompt) of a Messages request body."""
    system = body.get("system")
    prefix = tokens(_text(system)) + 2 if system else 0
    return 3 + sum(tokens(_text(m["content"])) for m in body["messages"]) + prefix, prefix


class FakeBatches:
    """The fake API's state; `url` is its base URL (give it to the SDK as ANTHROPIC_BASE_URL)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: dict[str, dict[str, Any]] = {}
        self.created_requests: list[tuple[str, str]] = []  # (batch id, custom_id) of every request ever created
        self.calls: list[tuple[str, str]] = []  # (method, path) of every call
        self.failures: dict[tuple[str, str], list[int]] = {}
        self.outcomes: dict[str, str] = {}  # custom_id -> errored / expired / canceled (default: succeeded)
        self.polls_before_end = 0
        self.expire_all = False
        self.cached_prefixes: set[str] = set()
        self.hold: dict[str, Any] | None = None
        self.creates = 0
        self.after_create_failures: list[int] = []
        self.unlisted: dict[str, int] = {}  # batch id -> how many more list calls leave it out
        self.bad_usage: set[str] = set()
        self.hidden_lists = 0
        self.ids = itertools.count(1)
        self.clock = datetime.now(UTC)  # creation times step by 1 s from here
        self.url = ""

    # scripting -------------------------------------------------------------------------------------------------
    def fail(self, method: str, path: str, statuses: list[int]) -> None:
        """The next calls to (method, path prefix) answer these HTTP statuses, in order."""
        self.failures[(method, path)] = list(statuses)

    def fail_after_create(self, statuses: list[int], hidden_lists: int = 1) -> None:
        """The next creates make their batch, then answer these statuses; the batch is left out of `hidden_lists`
        list calls."""
        self.after_create_failures = list(statuses)
        self.hidden_lists = hidden_lists

    def hold_create(self, nth: int, after_creating: bool) -> None:
        """Park the nth create call (1-based) until `release()`; with `after_creating` the batch exists first."""
        self.hold = {"nth": nth, "after": after_creating, "reached": threading.Event(),
                     "release": threading.Event()}

    def wait_held(self, timeout: float = HOLD_TIMEOUT_S) -> bool:
        assert self.hold is not None
        return self.hold["reached"].wait(timeout)

    def release(self) -> None:
        if self.hold is not None:
            self.hold["release"].set()

    # state -----------------------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def create(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        seen = set()
        for request in requests:
            checked = _REQUEST.validate_python(request)
            list(checked["params"]["messages"])  # the SDK's Iterable fields validate when iterated
            if not _CUSTOM_ID.match(request["custom_id"]) or request["custom_id"] in seen:
                raise ValueError(f"bad or repeated custom_id {request['custom_id']!r}")
            seen.add(request["custom_id"])
        batch_id = f"msgbatch_{next(self.ids):06d}"
        created = self._now()
        self.batches[batch_id] = {"requests": requests, "created_at": created, "polls": 0, "status": "in_progress",
                                  "ended_at": None, "cancel_at": None, "results": None}
        self.created_requests += [(batch_id, r["custom_id"]) for r in requests]
        return self.view(batch_id)

    def view(self, batch_id: str) -> dict[str, Any]:
        b = self.batches[batch_id]
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if b["results"] is None:
            counts["processing"] = len(b["requests"])
        else:
            for line in b["results"]:
                counts[line["result"]["type"]] += 1
        batch = MessageBatch(
            id=batch_id, type="message_batch", processing_status=b["status"],
            request_counts=MessageBatchRequestCounts.model_validate(counts),
            created_at=b["created_at"], expires_at=b["created_at"] + timedelta(hours=24), ended_at=b["ended_at"],
            cancel_initiated_at=b["cancel_at"], archived_at=None,
            results_url=f"{self.url}/v1/messages/batches/{batch_id}/results" if b["results"] is not None else None)
        return batch.model_dump(mode="json")

    def retrieve(self, batch_id: str) -> dict[str, Any]:
        b = self.batches[batch_id]
        b["polls"] += 1
        if b["status"] != "ended" and (b["status"] == "canceling" or b["polls"] > self.polls_before_end):
            self._end(batch_id)
        return self.view(batch_id)

    def _end(self, batch_id: str) -> None:
        b = self.batches[batch_id]
        lines = []
        for request in b["requests"]:
            outcome = self.outcomes.get(request["custom_id"], "succeeded")
            if self.expire_all:
                outcome = "expired"
            if b["status"] == "canceling":
                outcome = "canceled"
            lines.append(self._result(request, outcome))
        b["results"], b["status"], b["ended_at"] = lines, "ended", self._now()

    def _result(self, request: dict[str, Any], outcome: str) -> dict[str, Any]:
        custom_id, params = request["custom_id"], request["params"]
        if outcome == "errored":
            result: dict[str, Any] = {"type": "errored", "error": {"type": "error", "error": {
                "type": "invalid_request_error", "message": f"fake error for {custom_id}"}}}
        elif outcome in ("expired", "canceled"):
            result = {"type": outcome}
        else:
            total, prefix = request_tokens(params)
            system = _text(params.get("system", ""))
            write = prefix if system and system not in self.cached_prefixes else 0
            read = prefix - write
            if system:
                self.cached_prefixes.add(system)
            message = Message(
                id=f"msg_{custom_id[-10:]}_{len(self.created_requests)}_{next(self.ids)}", type="message",
                role="assistant", model=params["model"], stop_reason="end_turn", stop_sequence=None,
                content=[TextBlock(type="text", text=f"answer for {custom_id}")],
                usage=Usage.model_validate({
                    "input_tokens": total - prefix, "output_tokens": 5 + len(custom_id) % 7,
                    "cache_creation_input_tokens": write, "cache_read_input_tokens": read,
                    "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": write},
                    "service_tier": "batch"}))
            if custom_id in self.bad_usage:
                message.usage.input_tokens = -1
            result = {"type": "succeeded", "message": message.model_dump(mode="json")}
        line = {"custom_id": custom_id, "result": result}
        MessageBatchIndividualResponse.model_validate(line)
        return line

    def cancel(self, batch_id: str) -> dict[str, Any]:
        b = self.batches[batch_id]
        if b["status"] == "in_progress":
            b["status"], b["cancel_at"] = "canceling", self._now()
        return self.view(batch_id)

    def listing(self, limit: int, after_id: str | None) -> dict[str, Any]:
        ids = sorted(self.batches, reverse=True)  # newest first
        hidden = {i for i, n in self.unlisted.items() if n > 0}
        self.unlisted = {i: n - 1 for i, n in self.unlisted.items() if n > 1}
        ids = [i for i in ids if i not in hidden]
        if after_id:
            ids = ids[ids.index(after_id) + 1:]
        page = ids[:limit]
        return {"data": [self.view(i) for i in page], "has_more": len(ids) > limit,
                "first_id": page[0] if page else None, "last_id": page[-1] if page else None}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", "req_fake")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client is gone (killed by the test)

    def _error(self, status: int, kind: str, message: str) -> None:
        self._send(status, {"type": "error", "error": {"type": kind, "message": message}},
                   headers={"retry-after-ms": "1"} if status in (429, 529) or status >= 500 else None)

    def _scripted_failure(self, method: str, path: str) -> bool:
        fake = self.server.fake
        with fake.lock:
            for (m, prefix), statuses in fake.failures.items():
                if m == method and path.startswith(prefix) and statuses:
                    status = statuses.pop(0)
                    break
            else:
                return False
        kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
        self._error(status, kind, f"scripted {status}")
        return True

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        path, _, query = self.path.partition("?")
        with fake.lock:
            fake.calls.append((method, path))
        key = self.headers.get("x-api-key") or self.headers.get("authorization", "").removeprefix("Bearer ")
        if key != self.server.api_key or not self.headers.get("anthropic-version"):  # SDK 2.x sends the key as Bearer
            self._error(401, "authentication_error", "invalid x-api-key")
            return
        if self._scripted_failure(method, path):
            return
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if method == "POST" else {}
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        try:
            self._route(method, path, body, params)
        except (pydantic.ValidationError, ValueError, KeyError) as exc:
            self._error(400, "invalid_request_error", str(exc)[:500])

    def _route(self, method: str, path: str, body: dict[str, Any], params: dict[str, str]) -> None:
        fake = self.server.fake
        if method == "POST" and path == "/v1/messages/count_tokens":
            checked = _COUNT.validate_python(body)
            list(checked["messages"])
            total, _ = request_tokens(body)
            self._send(200, MessageTokensCount(input_tokens=total).model_dump(mode="json"))
            return
        if method == "POST" and path == "/v1/messages/batches":
            self._create(body)
            return
        if method == "GET" and path == "/v1/messages/batches":
            with fake.lock:
                self._send(200, fake.listing(int(params.get("limit", "20")), params.get("after_id")))
            return
        match = re.fullmatch(r"/v1/messages/batches/(msgbatch_\w+)(/cancel|/results)?", path)
        if match is None or match.group(1) not in fake.batches:
            self._error(404, "not_found_error", f"no such batch or path {path}")
            return
        batch_id, tail = match.group(1), match.group(2)
        with fake.lock:
            if method == "GET" and tail is None:
                self._send(200, fake.retrieve(batch_id))
            elif method == "POST" and tail == "/cancel":
                self._send(200, fake.cancel(batch_id))
            elif method == "GET" and tail == "/results" and fake.batches[batch_id]["results"] is not None:
                lines = "".join(json.dumps(line) + "\n" for line in fake.batches[batch_id]["results"])
                self._send(200, lines.encode(), "application/binary")
            else:
                self._error(404, "not_found_error", f"nothing at {method} {path} now")

    def _create(self, body: dict[str, Any]) -> None:
        fake = self.server.fake
        with fake.lock:
            fake.creates += 1
            hold = fake.hold if fake.hold is not None and fake.hold["nth"] == fake.creates else None
            if hold is None or hold["after"]:
                created = fake.create(body["requests"])
                if fake.after_create_failures:
                    status = fake.after_create_failures.pop(0)
                    fake.unlisted[created["id"]] = fake.hidden_lists
                    self._error(status, "api_error", f"scripted {status} after creating {created['id']}")
                    return
        if hold is not None:
            hold["reached"].set()
            hold["release"].wait(HOLD_TIMEOUT_S)
            if not hold["after"]:
                self._error(529, "overloaded_error", "released without creating")
                return
        self._send(200, created)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeBatches, api_key: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake, self.api_key = fake, api_key


@contextmanager
def running(api_key: str = "sk-ant-test") -> Iterator[FakeBatches]:
    """A fake API on 127.0.0.1 (a free port) for the duration of the block."""
    fake = FakeBatches()
    server = _Server(fake, api_key)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
