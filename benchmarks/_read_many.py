"""read_many's figures for the read_tools section: ten random symbols of the installed standard library in one call.

Ground truth comes from `ast` here, independently of thrifty.symbols. References: Claude Code's Read of each
whole file (first 2,000 lines, `cat -n` numbering) and the reference filesystem server's `read_multiple_files`.
"""

from __future__ import annotations

import ast
import random
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import anyio
from mcp import Client

from benchmarks import Figure
from thrifty.app import ServerConfig, build_server
from thrifty.textout import MAX_MAX_TOKENS, clip_line, estimate_tokens

SECTION = "read_tools"
SEED = 20260522
DRAWS = 21  # calls of ten symbols each; one draw alone swings from ~6x to ~70x with the symbols' sizes
QUICK_DRAWS = 5
SYMBOLS = 10
MAX_SYMBOL_LINES = 200  # ten symbols must fit one call's largest budget (60,000 tokens)
TIGHT_MAX_TOKENS = 500
READ_MAX_LINES = 2000  # Claude Code's Read returns at most the first 2,000 lines, as `cat -n`: "%6d\t%s"
_HEADER = re.compile(r"^== (?P<path>.+?)(?::\d+-\d+)? of \d+")
_ROW = re.compile(r"^ *(?P<n>\d+) (?P<text>.*)$")


@dataclass(frozen=True)
class Target:
    path: str  # relative to the standard library root
    qualname: str
    start: int  # decorators included, as `ast` reports them
    end: int

    @property
    def item(self) -> str:
        return f"{self.path}#{self.qualname}"


@dataclass(frozen=True)
class Draw:
    """One read_many call for ten random symbols, and what the references would have sent for the same files."""

    seed: int
    ours: int  # bytes of read_many's text
    reads: int  # bytes of Read on each whole file
    multiple: int  # bytes of read_multiple_files on the same files
    needed: int  # lines of the ten symbols
    present: int  # of those, lines shown with their number and exact text
    tight_tokens: int  # estimated tokens of the same call with max_tokens=TIGHT_MAX_TOKENS
    not_whole: int  # items the tight call could not show whole
    announced: int  # of those, the ones whose cut the tight text announces

    @property
    def ratio(self) -> float:
        return self.reads / self.ours


def figures(quick: bool) -> list[Figure]:
    root = Path(sysconfig.get_paths()["stdlib"]).resolve()
    draws = sorted((draw(root, SEED + n) for n in range(QUICK_DRAWS if quick else DRAWS)), key=lambda d: d.ratio)
    median = draws[len(draws) // 2]
    below = sum(1 for d in draws if d.ratio < 15)
    spread = (f"{len(draws)} calls (seeds {SEED}..{SEED + len(draws) - 1}), each ten random functions/classes from "
              f"ten files of {root}: Read/read_many per call min {draws[0].ratio:.1f}x, median {median.ratio:.1f}x, "
              f"max {draws[-1].ratio:.1f}x, {below} below 15x; shown: the median call (seed {median.seed})")
    needed = sum(d.needed for d in draws)
    return [
        Figure.compare(
            SECTION, "read_many 10 symbols bytes", median.ours, "bytes", "Read of each whole file", median.reads,
            at_most=1 / 15, note=spread,
        ),
        Figure.compare(
            SECTION, "read_many 10 symbols bytes vs read_multiple_files", median.ours, "bytes",
            "filesystem server read_multiple_files", median.multiple, at_most=1 / 15,
            note="its text: per file `path:\\ncontent\\n` joined by `\\n---\\n` (modelcontextprotocol/servers "
            "src/filesystem/index.ts, read_multiple_files handler); the median call",
        ),
        Figure.compare(
            SECTION, "read_many 10 symbols recall", sum(d.present for d in draws) / needed, "", "all symbol lines",
            1.0, at_least=1.0, note=f"{needed:,} lines over all {len(draws)} calls: each symbol's `ast` span "
            "(decorators included), checked by line number and exact text",
        ),
        Figure.compare(
            SECTION, f"read_many max_tokens={TIGHT_MAX_TOKENS} tokens", max(d.tight_tokens for d in draws), "tokens",
            "max_tokens", TIGHT_MAX_TOKENS, at_most=1.0, note=f"largest over the same {len(draws)} calls; tokens "
            "estimated as chars/3",
        ),
        Figure.compare(
            SECTION, f"read_many max_tokens={TIGHT_MAX_TOKENS} cuts announced", sum(d.announced for d in draws),
            "items", "items not shown whole", sum(d.not_whole for d in draws), at_least=1.0,
            note="items cut or left out whose text says 'omitted' and names what to ask for next",
        ),
    ]


def draw(root: Path, seed: int) -> Draw:
    targets = pick_targets(root, random.Random(seed))
    items = [t.item for t in targets]
    text = anyio.run(_call, root, items, MAX_MAX_TOKENS)
    tight = anyio.run(_call, root, items, TIGHT_MAX_TOKENS)
    files = list(dict.fromkeys(t.path for t in targets))
    needed, present = _recall(root, targets, text)
    return Draw(
        seed=seed, ours=len(text.encode()), reads=sum(_read_tool_bytes(root / f) for f in files),
        multiple=len(_read_multiple_files_text(root, files).encode()), needed=needed, present=present,
        tight_tokens=estimate_tokens(tight), not_whole=_not_whole(root, targets, tight),
        announced=_announced(tight, targets),
    )


def pick_targets(root: Path, rng: random.Random) -> list[Target]:
    """Ten functions/classes, each from a different file, with a qualname unique in its file."""
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    rng.shuffle(files)
    targets: list[Target] = []
    for path in files:
        candidates = _definitions(path)
        if candidates:
            qualname, start, end = rng.choice(candidates)
            targets.append(Target(path.relative_to(root).as_posix(), qualname, start, end))
        if len(targets) == SYMBOLS:
            break
    return targets


def _definitions(path: Path) -> list[tuple[str, int, int]]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    found: list[tuple[str, int, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualname = f"{prefix}{child.name}"
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                found.append((qualname, start, child.end_lineno or child.lineno))
                walk(child, qualname + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    counts: dict[str, int] = {}
    for qualname, _, _ in found:
        counts[qualname] = counts.get(qualname, 0) + 1
    return [f for f in found if counts[f[0]] == 1 and f[2] - f[1] < MAX_SYMBOL_LINES]


async def _call(root: Path, items: list[str], max_tokens: int) -> str:
    """The text a model receives: read_many through the in-memory MCP client, as the plugin runs it."""
    with anyio.fail_after(60):
        async with Client(build_server(ServerConfig(root=root, structured=False))) as client:
            result = await client.call_tool("read_many", {"files": items, "max_tokens": max_tokens})
    if result.is_error:
        raise RuntimeError(f"read_many failed: {result.content}")
    return "".join(getattr(block, "text", "") for block in result.content)


def _read_tool_bytes(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")[:READ_MAX_LINES]
    return sum(len(f"{n:>6}\t{line}\n".encode()) for n, line in enumerate(lines, start=1))


def _read_multiple_files_text(root: Path, files: list[str]) -> str:
    return "\n---\n".join(f"{f}:\n{(root / f).read_text(encoding='utf-8')}\n" for f in files)


def _shown(text: str) -> dict[str, dict[int, str]]:
    shown: dict[str, dict[int, str]] = {}
    current: dict[int, str] = {}
    for row in text.split("\n"):
        header = _HEADER.match(row)
        if header:
            current = shown.setdefault(header.group("path"), {})
            continue
        numbered = _ROW.match(row)
        if numbered:
            current[int(numbered.group("n"))] = numbered.group("text")
    return shown


def _recall(root: Path, targets: list[Target], text: str) -> tuple[int, int]:
    """(needed lines, lines shown with their number and exact text)."""
    shown = _shown(text)
    needed = present = 0
    for t in targets:
        lines = (root / t.path).read_text(encoding="utf-8").split("\n")
        for n in range(t.start, t.end + 1):
            needed += 1
            present += shown.get(t.path, {}).get(n) == clip_line(lines[n - 1].removesuffix("\r"))
    return needed, present


def _not_whole(root: Path, targets: list[Target], text: str) -> int:
    needed_by_item = [_recall(root, [t], text) for t in targets]
    return sum(1 for needed, present in needed_by_item if present < needed)


def _announced(text: str, targets: list[Target]) -> int:
    """Items not shown whole whose cut the text announces: a note naming the path, or the closing summary."""
    summary = next((row for row in text.split("\n") if row.startswith("omitted: ")), "")
    left_out = re.search(r"(\d+) items with no room", summary)
    cut_notes = {t.path for t in targets if re.search(rf"omitted .*; ask for {re.escape(t.path)}:\d+-\d+", text)}
    return len(cut_notes) + (int(left_out.group(1)) if left_out else 0)
