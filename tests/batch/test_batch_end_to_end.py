"""A 200-item job through plan, submit, status and results against the fake API, with the real SDK."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from batch_helpers import thrifty, thrifty_json, write_job
from fake_api import FakeBatches, request_tokens

HAIKU_45 = (1.0, 5.0, 2.0, 0.10)  # $/M input, output, 1-hour cache write, cache read (list price)


def batch_price(usage: dict[str, int]) -> float:
    """What the fake's usage costs at batch rates: half of Haiku 4.5's list price for every token kind."""
    inp, out, write, read = HAIKU_45
    return 0.5 * (usage["input_tokens"] * inp + usage["output_tokens"] * out
                  + usage["cache_creation_input_tokens"] * write + usage["cache_read_input_tokens"] * read) / 1e6


def test_a_200_item_job_goes_through_plan_submit_status_results_and_report(fake: FakeBatches, project: Path,
                                                                           tickets: Path) -> None:
    job = write_job(project)
    plan = thrifty_json("batch", "plan", str(job))
    assert plan["counts"] == "exact" and plan["items"] == 200 and plan["refused"] == [] and plan["batches"] == 3
    assert not fake.batches and {path for _, path in fake.calls} == {"/v1/messages/count_tokens"}
    # the plan's counts are the endpoint's: the style guide is the prefix, each request counted whole
    cached, plain, interactive = plan["costs"]
    assert plan["prefix_cached"] and cached["cache_write_tokens"] == plan["prefix_tokens"]
    assert cached["cache_read_tokens"] == 199 * plan["prefix_tokens"]
    assert plain["input_tokens"] == plan["input_tokens"] == cached["input_tokens"] + 200 * plan["prefix_tokens"]
    assert plain["max_cost_usd"] == pytest.approx(interactive["max_cost_usd"] / 2)
    assert cached["input_cost_usd"] < plain["input_cost_usd"] / 5

    sent = thrifty_json("batch", "submit", str(job))
    assert sent["sent"] == 200 and sent["left"] == 0 and [b["requests"] for b in sent["batches"]] == [75, 75, 50]
    created = [custom_id for _, custom_id in fake.created_requests]
    assert len(created) == 200 and len(set(created)) == 200
    for batch in fake.batches.values():  # what the API received is the plan's request, exactly counted
        for request in batch["requests"]:
            assert request["params"]["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
            assert request["params"]["max_tokens"] == 64 and "Printer" in request["params"]["messages"][0]["content"]
    total = sum(request_tokens(r["params"])[0] for b in fake.batches.values() for r in b["requests"])
    assert total == plan["input_tokens"]

    status = thrifty_json("batch", "status", "label")
    assert [s["status"] for s in status["batches"]] == ["ended"] * 3
    assert sum(s["succeeded"] for s in status["batches"]) == 200
    assert any("thrifty batch results label" in note for note in status["notes"])

    out = project / "out"
    results = thrifty_json("batch", "results", "label", "--out", str(out))
    assert results["succeeded"] == 200 and results["failed"] == [] and results["turns_recorded"] == 200
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 200 and Counter(line["result"] for line in lines) == {"succeeded": 200}
    first = next(line for line in lines if line["item"] == "tickets.jsonl:1")
    assert (out / first["file"]).read_text() == f"answer for {first['custom_id']}"

    expected = sum(batch_price(line["result"]["message"]["usage"]) for b in fake.batches.values()
                   for line in b["results"])
    report = thrifty_json("report", "batches")
    assert [row["items"] for row in report["batches"]] == [75, 75, 50]
    assert report["totals"]["cost_usd"] == pytest.approx(expected, rel=1e-12)
    fake_usage = [line["result"]["message"]["usage"] for b in fake.batches.values() for line in b["results"]]
    assert report["totals"]["input_tokens"] == sum(u["input_tokens"] for u in fake_usage)
    assert report["totals"]["cache_read_tokens"] == sum(u["cache_read_input_tokens"] for u in fake_usage)
    assert report["totals"]["cache_creation_tokens"] == sum(u["cache_creation_input_tokens"] for u in fake_usage)
    assert report["totals"]["output_tokens"] == sum(u["output_tokens"] for u in fake_usage)

    # the day's spend, and so the daily budget, include the batch at batch prices
    daily = thrifty_json("report", "daily")
    assert daily["totals"]["cost_usd"] == pytest.approx(expected, rel=1e-12)
    table = thrifty("report", "batches").output
    assert "msgbatch_000001" in table and "label" in table

    again = thrifty_json("batch", "results", "label", "--out", str(out))  # reading twice records nothing twice
    assert again["turns_recorded"] == 0
    assert thrifty_json("report", "batches")["totals"]["cost_usd"] == pytest.approx(expected, rel=1e-12)
    resend = thrifty_json("batch", "submit", str(job))
    assert resend["sent"] == 0 and resend["already_sent"] == 200 and len(fake.created_requests) == 200
