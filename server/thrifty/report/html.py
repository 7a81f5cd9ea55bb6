"""`thrifty report html`: the `Overview` as one self-contained page (inline CSS and SVG, no script, no request).

Every chart has its figures beside it in a table. Each figure taken from a report view carries `data-key` (its path
in that view's `--json` document, e.g. `daily.daily[3].cost_usd`) and `data-value` (the JSON value), so tests can
check the page against the JSON; the text shows it rounded for reading.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from pydantic import BaseModel

from thrifty.guard.budgets import amount_text
from thrifty.money import usd
from thrifty.report.budget_models import BudgetBar
from thrifty.report.html_parts import (
    KINDS,
    OTHER_COLOR,
    USAGE_HEADERS,
    bar,
    cell,
    colors,
    fig,
    num,
    pct,
    section,
    table,
    usage_cells,
)
from thrifty.report.models import AgentRow
from thrifty.report.overview import LISTED_SESSIONS, Overview
from thrifty.report.table import agent_label


def header(o: Overview) -> str:
    t = o.sessions.totals
    misses = o.cache_misses.totals
    kpis = [
        ("spent", fig("sessions.totals.cost_usd", t.cost_usd, usd(t.cost_usd), "b", "kpi-value")),
        ("tokens", fig("sessions.totals.total_tokens", t.total_tokens, num(t.total_tokens), "b", "kpi-value")),
        ("sessions", f'<b class="kpi-value" data-count="sessions">{len(o.sessions.sessions):,}</b>'),
        ("requests", fig("sessions.totals.turns", t.turns, num(t.turns), "b", "kpi-value")),
        ("cache hit", fig("sessions.totals.cache_hit_ratio", t.cache_hit_ratio, pct(t.cache_hit_ratio), "b",
                          "kpi-value")),
        ("cache misses cost", fig("cache_misses.totals.extra_cost_usd", misses.extra_cost_usd,
                                  usd(misses.extra_cost_usd), "b", "kpi-value")),
    ]
    boxes = "".join(f'<div class="kpi"><span>{escape(label)}</span>{value}</div>' for label, value in kpis)
    first, last = (t.first_activity or "")[:10], (t.last_activity or "")[:10]
    span = f" · {first} to {last}" if first else ""
    return (f"<header><h1>thrifty · where the tokens went</h1><p class=\"lead\">{escape(o.scope)}{escape(span)} · "
            f"generated {escape(o.generated_at)}</p><div class=\"kpis\">{boxes}</div></header>")


def daily_chart(o: Overview) -> str:
    days = [row.date for row in o.daily.daily]
    if not days:
        return '<p class="empty">No spend recorded.</p>'
    order = [m.model for m in o.models.models]
    palette = colors(order)
    stacks: dict[str, list[tuple[str, float]]] = {day: [] for day in days}
    for part in o.daily_by_model:
        if part.cost_usd:
            stacks.setdefault(part.date, []).append((part.model, part.cost_usd))
    top = max((row.cost_usd or 0.0) for row in o.daily.daily) or 1.0
    width, height, left, bottom, top_gap = 960, 270, 96, 40, 24
    plot_h = height - bottom - top_gap
    step = (width - left) / len(days)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="spend per day by model">']
    for frac in (0, 0.5, 1):
        y = top_gap + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 8}" y="{y:.1f}" dominant-baseline="middle" text-anchor="end">'
                     f"{escape(usd(top * frac))}</text>")
    for index, day in enumerate(days):
        x = left + index * step + step * 0.1
        y = top_gap + plot_h
        for model, cost in sorted(stacks.get(day, []), key=lambda mc: order.index(mc[0]) if mc[0] in order else 99):
            h = plot_h * cost / top
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step * 0.8, 0.5):.1f}" height="{h:.1f}" '
                         f'fill="{palette.get(model, OTHER_COLOR)}"><title>{escape(day)} {escape(model)} '
                         f'{escape(usd(cost))}</title></rect>')
    for index in sorted({0, len(days) // 2, len(days) - 1}):
        x = left + index * step + step / 2
        anchor = "start" if index == 0 else "end" if index == len(days) - 1 else "middle"
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}">{escape(days[index])}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li><i style="background:{palette[m]}"></i>{escape(m)}</li>' for m in order)
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'


def daily_section(o: Overview) -> str:
    by_day: dict[str, dict[str, float | None]] = {}
    for part in o.daily_by_model:
        by_day.setdefault(part.date, {})[part.model] = part.cost_usd
    models = [m.model for m in o.models.models]
    rows = []
    for index, row in enumerate(reversed(o.daily.daily)):
        i = len(o.daily.daily) - 1 - index
        split = "".join(cell(usd(by_day.get(row.date, {}).get(m)) if m in by_day.get(row.date, {}) else "", "n")
                        for m in models)
        rows.append(cell(row.date) + fig(f"daily.daily[{i}].cost_usd", row.cost_usd, usd(row.cost_usd))
                    + fig(f"daily.daily[{i}].total_tokens", row.total_tokens, num(row.total_tokens)) + split)
    t = o.daily.totals
    foot = (cell("total") + fig("daily.totals.cost_usd", t.cost_usd, usd(t.cost_usd))
            + fig("daily.totals.total_tokens", t.total_tokens, num(t.total_tokens)) + "<td></td>" * len(models))
    body = daily_chart(o) + table(("day", "cost", "tokens", *models), rows, foot, tall=len(rows) > 12)
    return section("daily", "Spend per day, by model", body, "Local days, newest first in the table.")


def tokens_section(o: Overview) -> str:
    t = o.sessions.totals
    total = t.total_tokens or 1
    stack = "".join(f'<span style="width:{getattr(t, key) / total * 100:.2f}%;background:{color}" '
                    f'title="{escape(label)}"></span>' for key, label, color in KINDS)
    rows = [f'<td><i class="swatch" style="background:{color}"></i>{escape(label)}</td>'
            + fig(f"sessions.totals.{key}", getattr(t, key), num(getattr(t, key)))
            + cell(pct(getattr(t, key) / total), "n") for key, label, color in KINDS]
    foot = cell("total") + fig("sessions.totals.total_tokens", t.total_tokens, num(t.total_tokens)) + cell("")
    hit = (f'<p class="big">cache hit ratio '
           f'{fig("sessions.totals.cache_hit_ratio", t.cache_hit_ratio, pct(t.cache_hit_ratio), "b", "")}'
           " <small>(cache reads over all input: input, cache writes and cache reads)</small></p>")
    body = f'<div class="stack">{stack}</div>' + hit + table(("kind", "tokens", "share"), rows, foot)
    return section("tokens", "Tokens by kind", body)


def models_section(o: Overview) -> str:
    palette = colors(m.model for m in o.models.models)
    total = o.models.totals.cost_usd or 0.0
    rows = [f'<td><i class="swatch" style="background:{palette[m.model]}"></i>{escape(m.model)}</td>'
            + bar((m.cost_usd or 0.0) / total if total else 0.0, palette[m.model])
            + cell(pct((m.cost_usd or 0.0) / total) if total else "", "n")
            + usage_cells(f"models.models[{i}]", m) for i, m in enumerate(o.models.models)]
    foot = cell("total") + cell("") + cell("") + usage_cells("models.totals", o.models.totals)
    return section("models", "Model mix", table(("model", "", "share of $", *USAGE_HEADERS), rows, foot))


def tree_rows(session_id: str, agents: list[AgentRow], indexes: list[int], session_cost: float) -> list[str]:
    rows = []
    for index in indexes:
        agent = agents[index]
        who = "main thread" if agent.agent_id == "main" else agent_label(agent.agent_id, agent.agent_type)
        attrs = (f'data-session="{escape(session_id)}" data-agent="{escape(agent.agent_id)}" '
                 f'data-model="{escape(agent.model or "")}"')
        cls = "main" if agent.agent_id == "main" else "sub"
        share = (agent.cost_usd or 0.0) / session_cost if session_cost else 0.0
        rows.append(f'<tr class="{cls}" {attrs}><td class="who">{escape(who)}</td>'
                    f"{cell((agent.model or '(no model)').removeprefix('claude-'))}{bar(share)}"
                    f"{usage_cells(f'agents.agents[{index}]', agent)}</tr>")
    return rows


def sessions_section(o: Overview) -> str:
    by_id = {s.session_id: s for s in o.sessions.sessions}
    trees = []
    for tree in o.trees:
        s = by_id[tree.session_id]
        rows = tree_rows(s.session_id, o.agents.agents, tree.rows, s.cost_usd or 0.0)
        head = "".join(f"<th>{escape(h)}</th>" for h in ("agent", "model", "cost bar", *USAGE_HEADERS))
        subs = len({o.agents.agents[i].agent_id for i in tree.rows} - {"main"})
        index = o.sessions.sessions.index(s)
        trees.append(
            f'<details class="tree"{" open" if not trees else ""}><summary><code>{escape(s.session_id[:8])}</code> '
            f"{escape(s.project)} · {fig(f'sessions.sessions[{index}].cost_usd', s.cost_usd, usd(s.cost_usd), 'b', '')}"
            f" · {subs} subagent{'s' if subs != 1 else ''} · {escape((s.last_activity or '')[:10])}</summary>"
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            "</details>")
    listed = sorted(range(len(o.sessions.sessions)), key=lambda i: -(o.sessions.sessions[i].cost_usd or 0.0))
    top_cost = max((s.cost_usd or 0.0 for s in o.sessions.sessions), default=0.0)
    rows = []
    for i in listed[:LISTED_SESSIONS]:
        s = o.sessions.sessions[i]
        rows.append(f"<td><code>{escape(s.session_id[:8])}</code></td>{cell(s.project)}"
                    f"{cell((s.last_activity or '')[:10])}{bar((s.cost_usd or 0.0) / top_cost if top_cost else 0)}"
                    + usage_cells(f"sessions.sessions[{i}]", s))
    rest = listed[LISTED_SESSIONS:]
    if rest:
        cost = sum(o.sessions.sessions[i].cost_usd or 0.0 for i in rest)
        rows.append(f'<td colspan="4">{len(rest):,} smaller sessions</td>{cell(usd(cost), "n")}'
                    + '<td colspan="5"></td>')
    foot = '<td colspan="4">total</td>' + usage_cells("sessions.totals", o.sessions.totals)
    count = len(o.sessions.sessions)
    lead = (f"The {len(o.trees)} costliest of {count:,} sessions as a tree of their main thread and subagents, "
            "each with its cost bar; then every session, costliest first"
            + (f" (the {len(rest):,} smallest summed in one row)." if rest else "."))
    body = "".join(trees) + "<h3>All sessions</h3>" + table(("session", "project", "last", "", *USAGE_HEADERS), rows,
                                                            foot, tall=len(rows) > 12)
    if count > len(o.trees):
        body += f'<p class="note">{count - len(o.trees):,} sessions are listed without their tree.</p>'
    return section("sessions", "Sessions and their subagents", body, lead)


def cache_section(o: Overview) -> str:
    report = o.cache_misses
    t = report.totals
    top = max((c.extra_cost_usd for c in report.by_cause.values()), default=0.0)
    causes = [cell(cause.replace("_", " ")) + bar(c.extra_cost_usd / top if top else 0.0, "var(--warn)")
              + fig(f"cache_misses.by_cause.{cause}.misses", c.misses, num(c.misses))
              + fig(f"cache_misses.by_cause.{cause}.rewritten_tokens", c.rewritten_tokens, num(c.rewritten_tokens))
              + fig(f"cache_misses.by_cause.{cause}.extra_cost_usd", c.extra_cost_usd, usd(c.extra_cost_usd))
              for cause, c in sorted(report.by_cause.items(), key=lambda kv: -kv[1].extra_cost_usd)]
    foot = (cell("total") + cell("") + fig("cache_misses.totals.misses", t.misses, num(t.misses))
            + fig("cache_misses.totals.rewritten_tokens", t.rewritten_tokens, num(t.rewritten_tokens))
            + fig("cache_misses.totals.extra_cost_usd", t.extra_cost_usd, usd(t.extra_cost_usd)))
    hit = o.sessions.totals.cache_hit_ratio
    body = (f'<p class="big">cache hit ratio <b>{escape(pct(hit))}</b>; {t.misses:,} of {t.turns:,} requests '
            "rewrote a prefix the request before had cached.</p>"
            + table(("cause", "", "misses", "tokens rewritten", "extra cost"), causes, foot))
    misses = [cell(m.ts[:16].replace("T", " ")) + f"<td><code>{escape(m.session_id[:8])}</code></td>"
              + cell("main" if m.agent_id == "main" else m.agent_id[:12]) + cell(m.detail)
              + cell(num(m.rewritten_tokens), "n") + cell(usd(m.extra_cost_usd), "n") for m in report.cache_misses]
    if misses:
        body += (f"<h3>The {len(misses)} priciest misses</h3>"
                 + table(("when (UTC)", "session", "agent", "cause", "tokens rewritten", "extra cost"), misses))
    return section("cache", "Cache hits and misses", body,
                   "A miss is a request that wrote again, at the cache-write price, what the request before it had "
                   "cached; its extra cost is those tokens at the write price less the read price.")


def tools_section(o: Overview) -> str:
    top = max((t.result_tokens for t in o.tools.tools), default=0)
    rows = [cell(t.tool) + cell(f"{t.plugin}:{t.server}" if t.plugin else (t.server or "built-in"))
            + bar(t.result_tokens / top if top else 0.0)
            + fig(f"tools.tools[{i}].result_tokens", t.result_tokens, num(t.result_tokens))
            + fig(f"tools.tools[{i}].calls", t.calls, num(t.calls))
            + fig(f"tools.tools[{i}].avg_result_tokens", t.avg_result_tokens, num(t.avg_result_tokens))
            for i, t in enumerate(o.tools.tools)]
    foot = (cell("total") + cell("") + cell("")
            + fig("tools.totals.result_tokens", o.tools.totals.result_tokens, num(o.tools.totals.result_tokens))
            + fig("tools.totals.calls", o.tools.totals.calls, num(o.tools.totals.calls)) + cell(""))
    return section("tools", "Tools by the tokens their results brought in",
                   table(("tool", "server", "", "result tokens", "calls", "per call"), rows, foot),
                   "The growth of the next request's prompt after a call, less the model's own output, shared among "
                   "the calls of that turn.")


def branches_section(o: Overview) -> str:
    report = o.branches
    top = max((b.cost_usd or 0.0 for b in report.branches), default=0.0)
    rows = [cell(b.branch) + bar((b.cost_usd or 0.0) / top if top else 0.0)
            + fig(f"branches.branches[{i}].sessions", b.sessions, num(b.sessions))
            + usage_cells(f"branches.branches[{i}]", b) for i, b in enumerate(report.branches)]
    foot = cell("total") + cell("") + cell("") + usage_cells("branches.totals", report.totals)
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in report.notes)
    return section("branches", "Cost per git branch", table(("branch", "", "sessions", *USAGE_HEADERS), rows, foot)
                   + notes, "Each request counts under the branch its transcript record names.")


def budget_rows(bars: list[BudgetBar], who: str) -> list[str]:
    rows = []
    for b in bars:
        name = who if b.level != "subagent" else f"{who} subagent {(b.agent_id or '')[:12]}"
        color = {"ok": "var(--ok)", "warn": "var(--warn)"}.get(b.state, "var(--bad)")
        rows.append(f'<tr data-state="{b.state}">{cell(name)}{cell(b.unit)}{bar(b.ratio, color)}'
                    f"{cell(pct(b.ratio), 'n')}{cell(amount_text(b.unit, b.spent), 'n')}"
                    f"{cell(amount_text(b.unit, b.limit), 'n')}{cell(b.state)}</tr>")
    return rows


def budgets_section(o: Overview) -> str:
    report = o.budgets
    rows = budget_rows(report.daily, "today, all sessions")
    for s in report.sessions:
        rows += budget_rows(s.budgets, f"session {s.session_id[:8]}")
    if not rows:
        return section("budgets", "Budgets", '<p class="empty">No budget is set. Set session_usd, subagent_usd or '
                       "daily_usd (and *_tokens) in the plugin's options or in [tool.thrifty.budget] of "
                       "pyproject.toml; <code>thrifty budget</code> lists them.</p>")
    head = "".join(f"<th>{escape(h)}</th>" for h in ("budget", "unit", "", "used", "spent", "limit", "state"))
    return section("budgets", "Budgets and how close each is",
                   f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
                   "</table></div>", "As thrifty budget shows them now: today's budget and the sessions active in "
                   "the last 24 hours.")


def savings_section(savings: BaseModel | None) -> str:
    """The seam for issue 12's savings report: its totals as a table, or a placeholder until it exists."""
    if savings is None:
        return section("savings", "Savings and waste", '<p class="empty">Not measured in this version: '
                       "<code>thrifty report savings</code> is not available yet.</p>")
    totals = getattr(savings, "totals", savings)
    data = totals.model_dump() if isinstance(totals, BaseModel) else {}
    rows = [cell(key.replace("_", " ")) + fig(f"savings.totals.{key}", value,
                                              usd(value) if key.endswith("usd") else num(int(value)))
            for key, value in data.items() if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return section("savings", "Savings and waste", table(("measure", "value"), rows))


def render(o: Overview) -> str:
    css = files("thrifty.report").joinpath("html.css").read_text(encoding="utf-8")
    notes = list(dict.fromkeys(o.sessions.notes + o.cache_misses.notes))
    foot = "".join(f"<li>{escape(n)}</li>" for n in notes)
    nav = "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in (
        ("daily", "days"), ("tokens", "tokens"), ("models", "models"), ("sessions", "sessions"), ("cache", "cache"),
        ("tools", "tools"), ("branches", "branches"), ("budgets", "budgets"), ("savings", "savings")))
    body = "".join([
        header(o), f"<nav>{nav}</nav>", daily_section(o), tokens_section(o), models_section(o), sessions_section(o),
        cache_section(o), tools_section(o), branches_section(o), budgets_section(o), savings_section(o.savings),
        f'<footer><ul>{foot}</ul><p>Costs are computed from the API list prices in thrifty\'s price table; tokens '
        "are de-duplicated as ccusage does. Figures equal <code>thrifty report VIEW --json</code> for the same "
        "filters.</p></footer>",
    ])
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>thrifty · cost report</title><style>{css}</style></head><body><main>{body}</main></body></html>\n")
