"""The building blocks of the HTML report: figures that carry their JSON path and value, cells, bars, tables and
sections, and the colours of models and token kinds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape

from thrifty.money import usd
from thrifty.report.models import UsageFields

PALETTE = ("#3b6fd8", "#e0823a", "#3aa57a", "#b0509a", "#c9a227", "#5bb3d0", "#8a6ad8", "#d04b4b", "#7a8a99")
OTHER_COLOR = "#9aa5b1"
KINDS = (("input_tokens", "input", "#3b6fd8"), ("output_tokens", "output", "#e0823a"),
         ("cache_creation_tokens", "cache write", "#c9a227"), ("cache_read_tokens", "cache read", "#3aa57a"))


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def num(value: int) -> str:
    return f"{value:,}"


def fig(key: str, value: object, text: str, tag: str = "td", cls: str = "n") -> str:
    """A figure from a report view: its JSON path and value as data attributes, readable text inside."""
    return (f'<{tag} class="{cls}" data-key="{escape(key)}" data-value="{escape(json.dumps(value))}">'
            f"{escape(text)}</{tag}>")


def cell(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{escape(text)}</td>' if cls else f"<td>{escape(text)}</td>"


def bar(share: float, color: str = "var(--accent)") -> str:
    width = max(0.0, min(share, 1.0)) * 100
    return f'<td class="bar"><span style="width:{width:.1f}%;background:{color}"></span></td>'


def table(headers: Sequence[str], rows: Iterable[str], foot: str = "", tall: bool = False) -> str:
    """A table in a box that scrolls sideways on a narrow screen (and down when `tall`), so the page never does."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    tfoot = f"<tfoot><tr>{foot}</tr></tfoot>" if foot else ""
    box = "scroll tall" if tall else "scroll"
    return f'<div class="{box}"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tfoot}</table></div>'


def section(anchor: str, title: str, body: str, lead: str = "") -> str:
    intro = f'<p class="lead">{escape(lead)}</p>' if lead else ""
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{intro}{body}</section>'


def usage_cells(view: str, row: UsageFields) -> str:
    """Cost, tokens by kind and cache hit of one usage row of `view` (a JSON path prefix)."""
    return "".join([
        fig(f"{view}.cost_usd", row.cost_usd, usd(row.cost_usd)),
        fig(f"{view}.input_tokens", row.input_tokens, num(row.input_tokens)),
        fig(f"{view}.output_tokens", row.output_tokens, num(row.output_tokens)),
        fig(f"{view}.cache_creation_tokens", row.cache_creation_tokens, num(row.cache_creation_tokens)),
        fig(f"{view}.cache_read_tokens", row.cache_read_tokens, num(row.cache_read_tokens)),
        fig(f"{view}.cache_hit_ratio", row.cache_hit_ratio, pct(row.cache_hit_ratio)),
    ])


USAGE_HEADERS = ("cost", "input", "output", "cache write", "cache read", "cache hit")


def colors(models: Iterable[str]) -> dict[str, str]:
    return {model: PALETTE[i] if i < len(PALETTE) else OTHER_COLOR for i, model in enumerate(models)}
