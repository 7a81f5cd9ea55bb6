"""One tool result, two channels: plain text for the model, the pydantic model for programmatic clients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel


@dataclass(frozen=True)
class ServerConfig:
    root: Path
    # Claude Code forwards structuredContent to the model *instead of* the text when both are present
    # (anthropics/claude-code#55677, #79944), so the plugin turns it off to keep the model on the compact text.
    structured: bool = True


def tool_result(text: str, model: BaseModel, config: ServerConfig) -> CallToolResult:
    structured = model.model_dump(mode="json") if config.structured else None
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
