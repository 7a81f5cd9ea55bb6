"""Turn a job into requests: the shared context rendered once (read_many), one user prompt per item.

Glob items are project files, each rendered as read_many renders a range within `item_max_tokens` (cut with
read_many's note when longer); JSONL items are
lines, `{item}` the line and `{field}` a field of it. An item that cannot become a request (a line that is not
JSON, a missing field, a line over `item_max_tokens`) is refused by name, never dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from thrifty.batch.errors import BatchError
from thrifty.batch.job import Job
from thrifty.confine import display_path, resolve_in_root
from thrifty.errors import ToolError
from thrifty.read.read_many import ReadManyResult, read_many
from thrifty.textout import estimate_tokens

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_GLOB_FIELDS = {"item", "path"}


class Item:
    """One request to be: `key` names it for people ('src/a.py', 'tickets.jsonl:7'), `custom_id` for the API."""

    __slots__ = ("key", "custom_id", "prompt", "refused")

    def __init__(self, key: str, prompt: str, refused: str = "") -> None:
        self.key, self.prompt, self.refused = key, prompt, refused
        self.custom_id = custom_id_for(key)


class Rendered:
    __slots__ = ("context", "items")

    def __init__(self, context: str, items: list[Item]) -> None:
        self.context, self.items = context, items


def custom_id_for(key: str) -> str:
    """A stable id the API accepts (^[A-Za-z0-9_-]{1,64}$): a readable slug of the key and a hash of it."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[:40] or "item"
    return f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def render(job: Job, root: Path) -> Rendered:
    """The job's context and items under the project `root` (resolved).

    Raises:
        BatchError: a context item cannot be read or does not fit, the glob matches nothing, the JSONL file is
            missing, or the prompt has no placeholder or one a glob item cannot fill.
    """
    spec = job.spec
    fields = {m.group(1) for m in _PLACEHOLDER.finditer(spec.prompt) if m.group(1)}
    if not fields:
        raise BatchError(f"{job.path}: the prompt has no placeholder, so every item would send the same request; "
                         "put {item} where the item goes")
    context = _context(job, root)
    if spec.items is not None:
        extra = sorted(fields - _GLOB_FIELDS)
        if extra:
            raise BatchError(f"{job.path}: the prompt uses {', '.join('{' + f + '}' for f in extra)}, but glob items "
                             "only have {item} (the rendered file) and {path}; fields belong to items_jsonl")
        items = _glob_items(job, root, spec.items)
    else:
        items = _jsonl_items(job, root, str(spec.items_jsonl))
    seen: dict[str, str] = {}
    for item in items:
        if item.custom_id in seen:  # two keys with one slug and hash prefix: practically never, but never silent
            raise BatchError(f"items {seen[item.custom_id]!r} and {item.key!r} get the same custom_id")
        seen[item.custom_id] = item.key
    return Rendered(context, items)


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with each {name} replaced by values[name]; {{ and }} are literal braces.

    Raises:
        KeyError: a placeholder has no value (its name is the error's argument).
    """
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[match.group(1)]

    return _PLACEHOLDER.sub(one, template)


def read_whole(root: Path, names: list[str], max_tokens: int) -> ReadManyResult:
    """read_many's rendering, except that a long file is read from its first line (up to `max_tokens`) instead of
    shown as the outline read_many gives at first look: a job names a file because it wants its text."""
    result = read_many(root, names, max_tokens)
    outlined = {item.item for item in result.items if item.status == "outline"}
    if not outlined:
        return result
    return read_many(root, [f"{n}:1-" if n in outlined else n for n in names], max_tokens)


def _context(job: Job, root: Path) -> str:
    spec = job.spec
    if not spec.context:
        return ""
    try:
        result = read_whole(root, list(spec.context), spec.context_max_tokens)
    except ToolError as exc:
        raise BatchError(f"{job.path}: context: {exc}") from None
    for item, name in zip(result.items, spec.context, strict=True):
        if item.status == "error":
            raise BatchError(f"{job.path}: context item {name!r}: {item.note}")
        if item.status in ("omitted", "partial"):
            raise BatchError(f"{job.path}: context item {name!r} does not fit in context_max_tokens = "
                             f"{spec.context_max_tokens:,}: raise it (up to 60,000) or name a range or symbol")
    return result.text


def _glob_items(job: Job, root: Path, pattern: str) -> list[Item]:
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        raise BatchError(f"{job.path}: items = {pattern!r}: the glob must be relative to the project root {root}")
    paths = []
    for path in root.glob(pattern):
        if ".git" in path.relative_to(root).parts or not path.is_file():
            continue
        try:
            paths.append(resolve_in_root(root, str(path)))
        except ToolError:
            continue  # a symlink leading out of the project
    if not paths:
        raise BatchError(f"{job.path}: items = {pattern!r} matches no file under {root}; check the pattern "
                         "(it is relative to the project root; ** matches any depth)")
    items = []
    for path in sorted(set(paths)):
        rel = display_path(root, path)
        text = read_whole(root, [rel], job.spec.item_max_tokens).text
        items.append(Item(rel, fill(job.spec.prompt, {"item": text, "path": rel})))
    return items


def _jsonl_items(job: Job, root: Path, name: str) -> list[Item]:
    try:
        path = resolve_in_root(root, name)
        lines = path.read_text(encoding="utf-8").splitlines()
    except ToolError as exc:
        raise BatchError(f"{job.path}: items_jsonl: {exc}") from None
    except FileNotFoundError:
        raise BatchError(f"{job.path}: items_jsonl = {name!r}: no such file under {root}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"{job.path}: items_jsonl = {name!r}: cannot read it ({exc})") from None
    shown = display_path(root, path)
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        key = f"{shown}:{number}"
        items.append(_jsonl_item(job, key, line.strip()))
    if not items:
        raise BatchError(f"{job.path}: items_jsonl = {name!r} has no items (no non-blank line)")
    return items


def _jsonl_item(job: Job, key: str, line: str) -> Item:
    limit = job.spec.item_max_tokens
    if estimate_tokens(line) > limit:
        return Item(key, "", f"{estimate_tokens(line):,} tokens (estimated) > item_max_tokens = {limit:,}")
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(key, "", f"not JSON ({exc.msg} at column {exc.colno})")
    values = {"item": line}
    if isinstance(value, dict):
        for field, content in value.items():
            values.setdefault(str(field), content if isinstance(content, str) else json.dumps(content))
    try:
        return Item(key, fill(job.spec.prompt, values))
    except KeyError as exc:
        return Item(key, "", f"has no field {exc.args[0]!r} for the prompt's {{{exc.args[0]}}}")
