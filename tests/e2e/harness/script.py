"""The declarative script a scripted Messages API plays: conversations of replies, each with blocks and usage.

A `Script` holds `Conversation`s. Every request goes to the first conversation whose `marker` occurs in the
request's first user message (the `-p` prompt for the main thread, the Agent tool's prompt for a subagent); the
conversation with no marker takes the rest. Inside a conversation the replies are played in order. A reply is a
`Reply` (blocks + usage) or a function of the request returning one, so a script can echo what it received.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .requests import ApiRequest


@dataclass(frozen=True)
class Usage:
    """The usage an answer reports: the ground truth every ledger is checked against.

    `split=False` answers without the `cache_creation` TTL split, as some gateways and providers do.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    split: bool = True

    @property
    def cache_creation_input_tokens(self) -> int:
        return self.cache_write_5m + self.cache_write_1h

    def total(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read + self.cache_creation_input_tokens

    def as_api(self, output_tokens: int | None = None) -> dict[str, Any]:
        """The `usage` object as the API sends it (in `message_start`, with a partial output count if given)."""
        usage: dict[str, Any] = {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read,
        }
        if self.split:
            usage["cache_creation"] = {"ephemeral_5m_input_tokens": self.cache_write_5m,
                                       "ephemeral_1h_input_tokens": self.cache_write_1h}
        usage["output_tokens"] = self.output_tokens if output_tokens is None else output_tokens
        usage["service_tier"] = "standard"
        return usage

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens,
                     self.cache_read + other.cache_read, self.cache_write_5m + other.cache_write_5m,
                     self.cache_write_1h + other.cache_write_1h, self.split and other.split)


ZERO = Usage()
DEFAULT_USAGE = Usage(input_tokens=10, output_tokens=20, cache_read=1000, cache_write_5m=200)


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: dict[str, Any]


Block = Text | ToolUse


def text(value: str) -> Text:
    return Text(value)


def tool_use(name: str, tool_input: dict[str, Any] | None = None, /, **kwargs: Any) -> ToolUse:
    """A tool_use block: `tool_use("Read", file_path="/x")` or `tool_use("Read", {"file_path": "/x"})`."""
    return ToolUse(name, {**(tool_input or {}), **kwargs})


UsageRule = Callable[["ApiRequest", Sequence[Block]], Usage]


@dataclass(frozen=True)
class Reply:
    """One answer: its content blocks (text and tool_use, in order) and the usage it reports.

    `usage` is a `Usage`, or a function of the request and the blocks (see `harness.usage_model`); None takes the
    script's default. The stop reason follows from the blocks: `tool_use` if any, else `end_turn`.
    """

    blocks: tuple[Block, ...]
    usage: Usage | UsageRule | None = None

    @property
    def stop_reason(self) -> str:
        return "tool_use" if any(isinstance(b, ToolUse) for b in self.blocks) else "end_turn"


def reply(*blocks: Block | str, usage: Usage | UsageRule | None = None) -> Reply:
    """`reply("Done.")`, `reply(tool_use("Grep", pattern="x"), usage=Usage(...))`; a bare string is a text block."""
    return Reply(tuple(text(b) if isinstance(b, str) else b for b in blocks), usage)


ReplyFn = Callable[["ApiRequest"], Reply]
Step = Reply | ReplyFn


@dataclass
class Conversation:
    """Replies played in order to the requests whose first user message contains `marker` (None: the rest)."""

    steps: list[Step]
    marker: str | None = None
    name: str = "main"

    def matches(self, request: ApiRequest) -> bool:
        return self.marker is None or self.marker in request.first_user_text()


@dataclass
class Script:
    """What the scripted model answers. `usage` is the default for replies that set none."""

    conversations: list[Conversation] = field(default_factory=list)
    usage: Usage | UsageRule = DEFAULT_USAGE
    model: str | None = None  # answer as this model; None echoes the request's model

    @classmethod
    def of(cls, *steps: Step, subagents: Mapping[str, Sequence[Step]] | None = None,
           usage: Usage | UsageRule = DEFAULT_USAGE) -> Script:
        """A main conversation of `steps`, plus one per subagent: `subagents={"MARKER": [steps]}` serves the
        requests whose first user message (the Agent tool's prompt) contains MARKER."""
        conversations = [Conversation(list(sub), marker=marker, name=marker)
                         for marker, sub in (subagents or {}).items()]
        return cls([*conversations, Conversation(list(steps))], usage=usage)

    def route(self, request: ApiRequest) -> Conversation | None:
        marked = [c for c in self.conversations if c.marker is not None and c.matches(request)]
        if marked:
            return marked[0]
        return next((c for c in self.conversations if c.marker is None), None)
