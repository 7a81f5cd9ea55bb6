"""The HTML report's figures against the JSON views: the page's data-key/data-value figures (from its source or a
browser's DOM) looked up in `thrifty report VIEW --json` for the same filters."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from thrifty.cli import cli

# The first part of a figure's data-key names the report view whose JSON holds it.
VIEWS = {"sessions": "sessions", "daily": "daily", "models": "models", "tools": "tools", "agents": "agents",
         "cache_misses": "cache-misses"}
FIGURES_JS = "[...document.querySelectorAll('[data-key]')].map(e => [e.dataset.key, e.dataset.value, e.textContent])"
TREE_JS = "[...document.querySelectorAll('tr[data-agent]')].map(e => [e.dataset.session, e.dataset.agent])"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def view_json(view: str, *filters: str) -> dict[str, Any]:
    code, out, err = run("report", view, *filters, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def write_page(path: Path, *filters: str) -> str:
    code, out, err = run("report", "html", "-o", str(path), *filters)
    assert code == 0, out + err
    return path.read_text(encoding="utf-8")


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def lookup(document: Any, path: str) -> Any:
    """`daily[3].cost_usd` in a JSON document."""
    value = document
    for name, index in _STEP.findall(path):
        value = value[int(index)] if index else value[name]
    return value


def mismatches(figures: list[tuple[str, str, str]], *filters: str) -> tuple[int, list[str]]:
    """(figures checked, those whose data-value differs from the view's JSON); `figures` = (key, value, text)."""
    documents: dict[str, Any] = {}
    checked, wrong = 0, []
    for key, value, _ in figures:
        head, _, rest = key.partition(".")
        if head not in VIEWS:
            continue
        if head not in documents:
            documents[head] = view_json(VIEWS[head], *filters)
        expected = lookup(documents[head], rest)
        checked += 1
        if json.loads(value) != expected:
            wrong.append(f"{key}: page {value}, `report {VIEWS[head]} --json` {expected!r}")
    return checked, wrong


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.rows: list[dict[str, str]] = []
        self._open: list[tuple[str, str]] = []
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "data-agent" in values:
            self.rows.append(values)
        if "data-key" in values:
            self._open.append((values["data-key"], values["data-value"]))
            self._text = ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag in ("td", "b"):
            key, value = self._open.pop()
            self.found.append((key, value, self._text))


def page_figures(page: str) -> tuple[list[tuple[str, str, str]], list[dict[str, str]]]:
    """The figures (data-key, data-value, text) and the session-tree rows' attributes in a page's source."""
    parser = _Figures()
    parser.feed(page)
    return parser.found, parser.rows
