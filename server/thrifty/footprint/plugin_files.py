"""The plugin's own skills, agents, commands and hooks, read as Claude Code reads them, with the listing line the
model sees for each (format of Claude Code 2.1.330)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from thrifty.errors import ToolError
from thrifty.footprint import frontmatter

ComponentKind = Literal["skill", "agent", "command"]


class Component(BaseModel):
    kind: ComponentKind
    name: str  # as the model sees it: plugin:name
    path: str  # relative to the plugin root
    description: str
    fields: dict[str, str | list[str]]
    body: str

    @property
    def listed(self) -> bool:
        """Whether the model sees it in a listing; user-only skills and commands are left out of it."""
        return str(self.fields.get("disable-model-invocation", "false")).lower() != "true"

    def listing_line(self) -> str:
        # Skills and commands: `- plugin:name: description[ - when_to_use]`; agents, as the Agent tool lists them:
        # `- plugin:name: description (Tools: ...)`.
        if not self.listed:
            return ""
        if self.kind == "agent":
            tools = self.fields.get("tools")
            shown = ", ".join(tools) if isinstance(tools, list) else (tools or "All tools")
            return f"- {self.name}: {self.description} (Tools: {shown})"
        when = self.fields.get("when_to_use")
        text = f"{self.description} - {when}" if isinstance(when, str) and when else self.description
        return f"- {self.name}: {text}"


def plugin_name(root: Path) -> str:
    manifest = root / ".claude-plugin" / "plugin.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["name"])
    except (OSError, ValueError, KeyError) as exc:
        raise ToolError(f"{manifest}: cannot read the plugin's name ({exc})") from exc


def components(root: Path) -> list[Component]:
    """Every skill, agent and command of the plugin at `root`, in a stable order."""
    plugin = plugin_name(root)
    kinds: tuple[tuple[ComponentKind, str], ...] = (
        ("skill", "skills/*/SKILL.md"), ("agent", "agents/*.md"), ("command", "commands/*.md"),
    )
    return [_component(root, plugin, kind, path) for kind, pattern in kinds for path in sorted(root.glob(pattern))]


def _component(root: Path, plugin: str, kind: ComponentKind, path: Path) -> Component:
    relative = path.relative_to(root).as_posix()
    fields, body = frontmatter.split(path.read_text(encoding="utf-8"), relative)
    default = path.parent.name if kind == "skill" else path.stem
    name = fields.get("name", default)
    description = fields.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise ToolError(f"{relative}: name and description must be single values")
    return Component(
        kind=kind, name=f"{plugin}:{name}", path=relative, description=description, fields=fields, body=body
    )


def hook_commands(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """(event, handler) for every handler in hooks/hooks.json, in file order."""
    path = root / "hooks" / "hooks.json"
    if not path.exists():
        return []
    try:
        events = json.loads(path.read_text(encoding="utf-8"))["hooks"]
    except (OSError, ValueError, KeyError) as exc:
        raise ToolError(f"{path}: not a hooks file with a top-level 'hooks' map ({exc})") from exc
    return [(event, handler) for event, groups in events.items() for group in groups for handler in group["hooks"]]
