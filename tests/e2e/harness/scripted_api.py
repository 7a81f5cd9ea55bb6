"""A local Messages API that plays the model from a `Script`, streaming SSE the way the real API does.

Every request body is kept (`ScriptedApi.requests`) and every answer with the usage it reported (`.answers`): the
exact ground truth for any ledger built from Claude Code's transcripts. Message, request and tool_use ids are unique
(random), and each answer carries a `request-id` header, which Claude Code records as the transcript's requestId.
A request no conversation claims, or one after its conversation ran out of replies, is answered with a short text
and recorded in `.problems`; `check()` raises with them, so a script that no longer matches the client fails loudly.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .requests import ApiRequest
from .script import ZERO, Block, Conversation, Reply, Script, Step, Text, ToolUse, Usage

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """An id shaped like the API's (`msg_01…`, `req_01…`, `toolu_01…`), random so runs never collide."""
    return prefix + "01" + "".join(secrets.choice(_ALPHABET) for _ in range(22))


@dataclass(frozen=True)
class AnsweredToolUse:
    id: str
    name: str
    input: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """One answer as sent: which request and conversation it served, its ids, model, blocks and usage."""

    request_index: int
    conversation: str
    message_id: str
    request_id: str
    model: str
    usage: Usage
    texts: tuple[str, ...]
    tool_uses: tuple[AnsweredToolUse, ...]
    stop_reason: str
    scripted: bool = True
    session_id: str = ""  # the Claude Code session that asked


def sse_events(answer: Answer, blocks: Sequence[Block | AnsweredToolUse]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The SSE events of one streamed message, in the order and shape the real API sends them."""
    yield "message_start", {"type": "message_start", "message": {
        "id": answer.message_id, "type": "message", "role": "assistant", "model": answer.model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": answer.usage.as_api(output_tokens=1)}}
    yield "ping", {"type": "ping"}
    for index, block in enumerate(blocks):
        if isinstance(block, Text):
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "text", "text": ""}}
            half = len(block.text) // 2
            for piece in (block.text[:half], block.text[half:]):
                if piece:
                    yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                                  "delta": {"type": "text_delta", "text": piece}}
        elif isinstance(block, AnsweredToolUse):
            yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": block.id, "name": block.name, "input": {}}}
            payload = json.dumps(block.input)
            half = len(payload) // 2
            for piece in (payload[:half], payload[half:]):
                yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                              "delta": {"type": "input_json_delta", "partial_json": piece}}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield "message_delta", {"type": "message_delta",
                            "delta": {"stop_reason": answer.stop_reason, "stop_sequence": None},
                            "usage": {"output_tokens": answer.usage.output_tokens}}
    yield "message_stop", {"type": "message_stop"}


class ScriptedApi:
    """`with ScriptedApi(script, log_dir=...) as api:` serves on `api.base_url` until the block ends."""

    def __init__(self, script: Script, log_dir: Path | None = None) -> None:
        self.script = script
        self.log_dir = log_dir
        self.requests: list[ApiRequest] = []
        self.answers: list[Answer] = []
        self.problems: list[str] = []
        self.other_calls: list[tuple[str, str]] = []  # (method, path) of anything but POST /v1/messages
        self._positions: dict[int, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> ScriptedApi:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        api = self

        class Handler(_Handler):
            scripted = api

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the scripted API is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- answering -------------------------------------------------------------------------------------------
    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[Answer, list[Block | AnsweredToolUse]]:
        body = json.loads(raw or b"{}")
        with self._lock:
            request = ApiRequest(len(self.requests), path, headers, body, raw)
            self.requests.append(request)
            conversation = self.script.route(request)
            step = self._next_step(conversation, request)
            try:
                chosen = step(request) if callable(step) else step
            except Exception as exc:  # noqa: BLE001 - a broken script is reported by check(), not a hung client
                self.problems.append(f"request {request.index}: the script's reply function raised {exc!r}")
                chosen = None
            scripted = chosen is not None
            if chosen is None:
                chosen = Reply((Text("[scripted API: nothing scripted for this request]"),), ZERO)
            usage = self._usage(chosen, request)
            blocks: list[Block | AnsweredToolUse] = [
                AnsweredToolUse(new_id("toolu_"), b.name, dict(b.input)) if isinstance(b, ToolUse) else b
                for b in chosen.blocks]
            answer = Answer(
                request_index=request.index, conversation=conversation.name if conversation else "(none)",
                message_id=new_id("msg_"), request_id=new_id("req_"), model=self.script.model or request.model,
                usage=usage, texts=tuple(b.text for b in blocks if isinstance(b, Text)),
                tool_uses=tuple(b for b in blocks if isinstance(b, AnsweredToolUse)),
                stop_reason=chosen.stop_reason, scripted=scripted, session_id=request.session_id)
            self.answers.append(answer)
            self._log(request, answer)
        return answer, blocks

    def _next_step(self, conversation: Conversation | None, request: ApiRequest) -> Step | None:
        if conversation is None:
            self.problems.append(f"request {request.index}: no conversation claims it; first user message: "
                                 f"{request.first_user_text()[:200]!r}")
            return None
        position = self._positions.get(id(conversation), 0)
        if position >= len(conversation.steps):
            self.problems.append(f"request {request.index}: conversation {conversation.name!r} has no reply left "
                                 f"(it has {len(conversation.steps)}); last message: {request.texts()[-1:]!r}")
            return None
        self._positions[id(conversation)] = position + 1
        return conversation.steps[position]

    def _usage(self, chosen: Reply, request: ApiRequest) -> Usage:
        rule = chosen.usage if chosen.usage is not None else self.script.usage
        return rule(request, chosen.blocks) if callable(rule) else rule

    def _log(self, request: ApiRequest, answer: Answer) -> None:
        if self.log_dir is None:
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / "requests.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"index": request.index, "path": request.path, "body": request.body}) + "\n")
        with open(self.log_dir / "answers.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(answer_json(answer)) + "\n")

    # --- reading back ----------------------------------------------------------------------------------------
    def check(self) -> None:
        """Raise if a request went unscripted or a scripted reply function failed."""
        if self.problems:
            raise AssertionError("scripted API problems:\n  " + "\n  ".join(self.problems))

    def conversation_requests(self, name: str = "main") -> list[ApiRequest]:
        indexes = {a.request_index for a in self.answers if a.conversation == name}
        return [r for r in self.requests if r.index in indexes]

    def usage(self, conversation: str | None = None, model: str | None = None, session_id: str | None = None
              ) -> Usage:
        """The summed usage of the answers (of one conversation, model and/or session): the ground truth."""
        total = ZERO
        for a in self.answers:
            if ((conversation is None or a.conversation == conversation) and (model is None or a.model == model)
                    and (session_id is None or a.session_id == session_id)):
                total = total + a.usage
        return total

    def tool_uses(self, conversation: str | None = None) -> list[AnsweredToolUse]:
        return [t for a in self.answers if conversation is None or a.conversation == conversation
                for t in a.tool_uses]

    def answer_for_tool(self, tool_use_id: str) -> Answer:
        return next(a for a in self.answers if any(t.id == tool_use_id for t in a.tool_uses))


def answer_json(answer: Answer) -> dict[str, Any]:
    return {"request_index": answer.request_index, "conversation": answer.conversation,
            "message_id": answer.message_id, "request_id": answer.request_id, "model": answer.model,
            "usage": answer.usage.as_api(), "texts": list(answer.texts),
            "tool_uses": [{"id": t.id, "name": t.name, "input": t.input} for t in answer.tool_uses],
            "stop_reason": answer.stop_reason, "scripted": answer.scripted, "session_id": answer.session_id}


class _Handler(BaseHTTPRequestHandler):
    scripted: ScriptedApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the request log is the record; stderr noise would only hide test output

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_json(self, status: int, payload: dict[str, Any], request_id: str | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", request_id or new_id("req_"))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._read_body()
        self.scripted.other_calls.append(("GET", self.path))
        self._send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "scripted API"}})

    def do_HEAD(self) -> None:  # noqa: N802
        self.scripted.other_calls.append(("HEAD", self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        raw = self._read_body()
        path = self.path.split("?", 1)[0]
        if path == "/v1/messages/count_tokens":
            self.scripted.other_calls.append(("POST", self.path))
            self._send_json(200, {"input_tokens": max(1, len(raw) // 4)})
            return
        if path != "/v1/messages":
            self.scripted.other_calls.append(("POST", self.path))
            self._send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "scripted API"}})
            return
        answer, blocks = self.scripted.answer(self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
        if not json.loads(raw or b"{}").get("stream"):
            content = [{"type": "text", "text": b.text} if isinstance(b, Text) else
                       {"type": "tool_use", "id": b.id, "name": b.name, "input": b.input}
                       for b in blocks if isinstance(b, Text | AnsweredToolUse)]
            self._send_json(200, {"id": answer.message_id, "type": "message", "role": "assistant",
                                  "model": answer.model, "content": content, "stop_reason": answer.stop_reason,
                                  "stop_sequence": None, "usage": answer.usage.as_api()}, answer.request_id)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", answer.request_id)
        self.end_headers()
        for event, data in sse_events(answer, blocks):
            chunk = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
