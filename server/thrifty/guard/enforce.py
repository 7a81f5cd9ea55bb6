"""What PreToolUse answers, from the budgets' states and the loop guard's verdict; pure, standard library only.

Escalation per budget: below the warning share, nothing at all (no output). At the warning share, the user is told
once (`systemMessage`) and the model once (a brief `additionalContext`). At 100%, new subagents (Task/Agent) and
the expensive tools are denied with a reason naming the budget and the spend, and the user is told once. At the
ceiling, the session is stopped (`continue: false` with a `stopReason`) on every call until the budget is raised.
"Once" is per session, budget, level and limit, so a raised budget warns again when its new limit nears.
`permissionDecision` is never "allow": an allow would skip the user's permission prompts.
"""

from __future__ import annotations

from typing import Any

from thrifty.guard.budgets import MAIN_AGENT, OVER, STOP, WARN, Budget, amount_text
from thrifty.guard.settings import FAN_OUT_TOOLS, Settings

# Claude Code hands a denial to the model as `PreToolUse:<Tool> hook error: <reason>`; a reason that opens with this
# still reads as a deliberate refusal, not as a hook that broke.
POLICY_REFUSAL = "Refused by thrifty's {rule} (not a failure)"


class Notice:
    """A one-time message: recorded in `budget_notices` under (budget key, level, limit) before it is shown."""

    __slots__ = ("key", "level", "limit", "user_text", "model_text")

    def __init__(self, key: str, level: str, limit: float, user_text: str, model_text: str) -> None:
        self.key, self.level, self.limit, self.user_text, self.model_text = key, level, limit, user_text, model_text


class Plan:
    """The budget side of a decision: notices to give once, a denial for this tool, a stop."""

    __slots__ = ("notices", "deny_reason", "stop_reason")

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.deny_reason: str | None = None
        self.stop_reason: str | None = None


def restricted_tools(settings: Settings) -> str:
    """'new subagents (Task/Agent), WebSearch and WebFetch'."""
    names = ["new subagents (Task/Agent)", *settings["expensive_tools"]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plan(budgets: list[Budget], settings: Settings, tool_name: str) -> Plan:
    result = Plan()
    refused = tool_name in FAN_OUT_TOOLS or settings.is_expensive(tool_name)
    denials, stops = [], []
    for budget in budgets:
        spent = amount_text(budget.unit, budget.spent)
        if budget.state == STOP:
            # continue:false from a subagent's hook ends that subagent only; the main thread goes on (observed in
            # Claude Code 2.1.330, tests/e2e) and is stopped at its own next call if the budget covers it.
            stopped = "the session is stopped" if budget.agent_id == MAIN_AGENT else (
                "this subagent is stopped and hands back to the main thread")
            stops.append(f"thrifty: {budget.name()} passed its {settings['stop_percent']:g}% ceiling (spent {spent}); "
                         f"{stopped}. Raise it with `{budget.raise_command()}`, then continue.")
        elif budget.state == OVER:
            if refused:
                denials.append(f"{POLICY_REFUSAL.format(rule='budget policy')}: {budget.name()} reached (spent "
                               f"{spent}), so {tool_name} is not run. Do not retry it: finish with the tools already "
                               f"at hand, or ask the user to raise it: `{budget.raise_command()}`")
            result.notices.append(Notice(
                budget.key, OVER, budget.limit,
                f"thrifty: {budget.name()} reached (spent {spent}): {restricted_tools(settings)} are refused from "
                f"now on. Raise it with `{budget.raise_command()}`.",
                f"thrifty: the {budget.name()} is used up (spent {spent}); {restricted_tools(settings)} will be "
                "refused. Wrap up with cheap steps."))
        elif budget.state == WARN:
            percent = f"{budget.ratio * 100:.0f}%"
            stop = settings["stop_percent"]
            result.notices.append(Notice(
                budget.key, WARN, budget.limit,
                f"thrifty: {budget.name()} is {percent} used (spent {spent}). At 100% {restricted_tools(settings)} "
                f"are refused{f'; at {stop:g}% the session stops' if stop else ''}. Raise it with "
                f"`{budget.raise_command()}`.",
                f"thrifty: {percent} of the {budget.name()} is spent; prefer cheap steps and avoid new subagents."))
    if stops:
        result.stop_reason = " ".join(stops)
        result.deny_reason = result.stop_reason
    elif denials:
        result.deny_reason = " ".join(denials)
    return result


def reply(deny_reason: str | None, stop_reason: str | None, notices: list[Notice]) -> dict[str, Any] | None:
    """The PreToolUse JSON (None = say nothing, let the call proceed as it would without thrifty)."""
    out: dict[str, Any] = {}
    specific: dict[str, Any] = {"hookEventName": "PreToolUse"}
    if deny_reason:
        specific["permissionDecision"] = "deny"
        specific["permissionDecisionReason"] = deny_reason
    model_texts = [n.model_text for n in notices if n.model_text]
    if model_texts:
        specific["additionalContext"] = " ".join(model_texts)
    if notices:
        out["systemMessage"] = "\n".join(n.user_text for n in notices)
    if len(specific) > 1:
        out["hookSpecificOutput"] = specific
    if stop_reason:
        out["continue"] = False
        out["stopReason"] = stop_reason
    return out or None
