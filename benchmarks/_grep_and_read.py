"""grep_and_read's figures for the read_tools section: wall time against rg, bytes against Grep + Read, recall.

All on code nobody here wrote: the installed standard library, and a tree of 10,000+ files made by hard-linking
(or copying) its .py files into several folders under a temporary directory.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import statistics
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from mcp import Client

from benchmarks import Figure
from thrifty.search.engine import SearchRequest, grep_and_read
from thrifty.search.rg import find_rg
from thrifty.textout import MAX_MAX_TOKENS

SECTION = "read_tools"
TREE_FILES = 10_000
CONTEXT = 3
# A typical multi-pattern question: where are these defined and raised?
SEARCH = [r"def (get|set)_\w+\(", r"class \w+Error\b", r"import threading"]
# A search that matches almost everywhere (~450,000 matches): the output and parsing costs at their worst.
BROAD_SEARCH = [r"self\.\w+"]
# Symbol look-ups by content: a few call sites and definitions spread over the library.
SYMBOL_SEARCH = [r"def urlsplit\(", r"_MAXHEADERS", r"def make_archive\(", r"def nlargest\("]
READ_MAX_LINES = 2000  # Claude Code's Read returns at most the first 2,000 lines of a file
ROW = re.compile(r"^\s*(\d+)[: ]", re.MULTILINE)


def figures(quick: bool) -> list[Figure]:
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    sources = sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-") as tmp:
        tree = _tree(Path(tmp).resolve(), stdlib, sources)
        found = [_speed(tree, SEARCH, quick, ""), _speed(tree, BROAD_SEARCH, quick, ", broad pattern")]
        found.append(_speed_mcp(tree, quick))
    found += _bytes_and_recall(stdlib)
    return found


def _tree(root: Path, stdlib: Path, sources: list[Path]) -> Path:
    """Copies of the standard library's .py files in numbered folders until there are TREE_FILES or more."""
    copies = -(-TREE_FILES // len(sources))
    for copy in range(copies):
        for source in sources:
            target = root / f"copy{copy}" / source.relative_to(stdlib)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)  # same bytes without the disk traffic; rg reads them all the same
            except OSError:
                shutil.copyfile(source, target)
    return root


def _rg_reference(tree: Path, patterns: list[str]) -> Callable[[], object]:
    """Plain rg for the same search, printing numbered matches with the same context into a pipe that is read."""
    argv = [find_rg(), "-n", "-C", str(CONTEXT), *(f"--regexp={p}" for p in patterns), "--", "."]
    return lambda: subprocess.run(argv, cwd=tree, capture_output=True, check=False)


def _speed(tree: Path, patterns: list[str], quick: bool, label: str) -> Figure:
    files = sum(1 for _ in tree.rglob("*.py"))
    request = SearchRequest(patterns=patterns, context=CONTEXT)
    repeat = 3 if quick else 7
    reference, ours = _rg_reference(tree, patterns), lambda: grep_and_read(tree, request)
    reference()
    ours()  # warm the page cache for both
    rg_times, our_times = [], []
    for _ in range(repeat):  # interleaved, so both sides see the same machine load
        rg_times.append(_seconds(reference))
        our_times.append(_seconds(ours))
    return Figure.compare(
        SECTION, f"grep_and_read vs rg on {files:,} files{label}", statistics.median(our_times), "s",
        f"rg -n -C{CONTEXT} (same patterns)", statistics.median(rg_times), at_most=1.2,
        note=f"in-process core, patterns {patterns}, default max_tokens; median of {repeat}, interleaved with rg",
    )


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _speed_mcp(tree: Path, quick: bool) -> Figure:
    from thrifty.app import ServerConfig, build_server

    repeat = 3 if quick else 7
    arguments = {"patterns": SEARCH, "context": CONTEXT}

    async def timed_calls() -> tuple[list[float], list[float]]:
        async with Client(build_server(ServerConfig(root=tree, structured=False))) as client:
            await client.call_tool("grep_and_read", arguments)
            ours, rg = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                result = await client.call_tool("grep_and_read", arguments)
                ours.append(time.perf_counter() - start)
                if result.is_error:
                    raise RuntimeError(f"grep_and_read failed: {result.content}")
                rg.append(_seconds(reference))
            return ours, rg

    reference = _rg_reference(tree, SEARCH)
    ours, rg = anyio.run(timed_calls)
    return Figure.compare(
        SECTION, "grep_and_read via MCP client vs rg", statistics.median(ours), "s",
        f"rg -n -C{CONTEXT} (same patterns)", statistics.median(rg),
        at_most=1.2, note="call_tool through the in-memory MCP client (session open), interleaved with rg",
    )


def _bytes_and_recall(stdlib: Path) -> list[Figure]:
    outcome = grep_and_read(stdlib, SearchRequest(patterns=SYMBOL_SEARCH, scope="symbol", max_tokens=MAX_MAX_TOKENS))
    if outcome.result.next_offset is not None:
        raise RuntimeError("the symbol search no longer fits in one call: the byte figure would compare a part")
    ours = len(outcome.text.encode())
    files = [f.path for f in outcome.result.files]
    grep_files = "\n".join(files) + "\n"  # Grep files_with_matches lists the paths
    reads = sum(_read_tool_bytes(stdlib / path) for path in files)
    needed = _needed_lines(stdlib, files)
    shown = _shown_lines(outcome.text)
    hit = sum(len(lines & shown.get(path, set())) for path, lines in needed.items())
    total = sum(len(lines) for lines in needed.values())
    return [
        Figure.compare(
            SECTION, "grep_and_read scope=symbol bytes", ours, "bytes",
            "Grep files_with_matches + Read each file", len(grep_files.encode()) + reads, at_most=1 / 5,
            note=f"{len(SYMBOL_SEARCH)} patterns over the standard library, {len(files)} matching files; Read "
            f"as Claude Code returns it (first {READ_MAX_LINES} lines, cat -n numbering)",
        ),
        Figure.compare(
            SECTION, "grep_and_read scope=symbol recall", hit / total if total else 0.0, "", "all needed lines", 1.0,
            at_least=1.0, note=f"{total} needed lines: each match's innermost enclosing def/class per `ast` "
            "(decorators included), or the match line outside any",
        ),
    ]


def _read_tool_bytes(path: Path) -> int:
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")[:READ_MAX_LINES]
    return sum(len(f"{n:>6}\t{line}\n".encode()) for n, line in enumerate(lines, start=1))


def _needed_lines(root: Path, files: list[str]) -> dict[str, set[int]]:
    """Ground truth: for each line rg matches, the whole innermost definition around it according to `ast`."""
    argv = [find_rg(), "-n", "--no-heading", "--with-filename", *(f"--regexp={p}" for p in SYMBOL_SEARCH), "--",
            *files]
    out = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False).stdout
    needed: dict[str, set[int]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for row in out.splitlines():
        path, number, _ = row.split(":", 2)
        if path not in spans:
            spans[path] = _definition_spans(root / path)
        line = int(number)
        inner = min((s for s in spans[path] if s[0] <= line <= s[1]), key=lambda s: s[1] - s[0], default=(line, line))
        needed.setdefault(path, set()).update(range(inner[0], inner[1] + 1))
    return needed


def _definition_spans(path: Path) -> list[tuple[int, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [
        (min([node.lineno, *(d.lineno for d in node.decorator_list)]), node.end_lineno or node.lineno)
        for node in ast.walk(tree) if isinstance(node, kinds)
    ]


def _shown_lines(text: str) -> dict[str, set[int]]:
    shown: dict[str, set[int]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("== "):
            current = line[3:].split(":")[0]
        elif current and (m := ROW.match(line)):
            shown.setdefault(current, set()).add(int(m.group(1)))
    return shown
