"""Partial failures, expiry, cancel, rate limits and server errors, against the fake API with the real SDK."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import anthropic
import pytest
from batch_helpers import JOB_200, custom_ids, thrifty, thrifty_json, write_job
from fake_api import FakeBatches


def test_errored_and_expired_items_are_listed_and_sent_again_only_on_request(fake: FakeBatches, project: Path,
                                                                             tickets: Path) -> None:
    job = write_job(project)
    ids = custom_ids(job, project)
    fake.outcomes = {ids[3]: "errored", ids[80]: "expired", ids[199]: "errored"}
    thrifty_json("batch", "submit", str(job))
    results = thrifty_json("batch", "results", "label", "--out", str(project / "out"))
    assert results["succeeded"] == 197
    assert [(f["item"], f["result"]) for f in results["failed"]] == [
        ("tickets.jsonl:200", "errored"), ("tickets.jsonl:4", "errored"), ("tickets.jsonl:81", "expired")]
    assert "fake error for" in results["failed"][0]["error"]
    assert any("--retry-failed" in note for note in results["notes"])

    assert thrifty_json("batch", "submit", str(job))["sent"] == 0  # a plain rerun sends nothing
    fake.outcomes = {}
    retry = thrifty_json("batch", "submit", str(job), "--retry-failed")
    assert retry["sent"] == 3 and retry["retried"] == 3
    assert Counter(Counter(c for _, c in fake.created_requests).values()) == {1: 197, 2: 3}
    final = thrifty_json("batch", "results", "label", "--out", str(project / "out"))
    assert final["succeeded"] == 200 and final["failed"] == []
    report = thrifty_json("report", "batches")
    assert [(r["items"], r["succeeded"], r["errored"]) for r in report["batches"]] == [
        (75, 74, 1), (75, 74, 1), (50, 49, 1), (3, 3, 0)]


def test_an_expired_batch_says_so_and_how_to_send_its_items_again(fake: FakeBatches, project: Path,
                                                                   tickets: Path) -> None:
    job = write_job(project, JOB_200.replace("requests_per_batch = 75", ""))
    fake.expire_all = True
    thrifty_json("batch", "submit", str(job))
    status = thrifty_json("batch", "status")
    [batch] = status["batches"]
    assert batch["status"] == "ended" and batch["expired"] == 200
    assert any("24-hour limit" in note and "--retry-failed" in note for note in status["notes"])
    results = thrifty_json("batch", "results", "label", "--out", str(project / "out"))
    assert results["succeeded"] == 0 and len(results["failed"]) == 200 and results["turns_recorded"] == 0
    assert thrifty_json("report", "batches")["totals"]["cost_usd"] == 0.0


def test_cancel_stops_a_running_batch_and_its_items_show_as_canceled(fake: FakeBatches, project: Path,
                                                                     tickets: Path) -> None:
    job = write_job(project)
    fake.polls_before_end = 100  # the batches keep running until canceled
    thrifty_json("batch", "submit", str(job))
    assert {s["status"] for s in thrifty_json("batch", "status")["batches"]} == {"in_progress"}
    canceled = thrifty_json("batch", "cancel", "msgbatch_000001")
    by_id = {s["batch_id"]: s for s in canceled["batches"]}
    assert by_id["msgbatch_000001"]["status"] == "ended" and by_id["msgbatch_000001"]["canceled"] == 75
    assert ("POST", "/v1/messages/batches/msgbatch_000001/cancel") in fake.calls
    assert ("POST", "/v1/messages/batches/msgbatch_000002/cancel") not in fake.calls
    assert any("canceled" in note for note in canceled["notes"])
    thrifty_json("batch", "cancel", "label")  # the rest of the job
    results = thrifty_json("batch", "results", "label", "--out", str(project / "out"))
    assert Counter(f["result"] for f in results["failed"]) == {"canceled": 200}


def test_a_429_is_retried_with_backoff_then_succeeds(fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    fake.fail("POST", "/v1/messages/batches", [429, 429])
    fake.fail("POST", "/v1/messages/count_tokens", [429, 529])
    sent = thrifty_json("batch", "submit", str(job))
    assert sent["sent"] == 200 and sent["error"] is None
    creates = [c for c in fake.calls if c == ("POST", "/v1/messages/batches")]
    assert len(creates) == 5 and len(fake.created_requests) == 200  # 2 refused + 3 created, nothing twice


def test_rate_limits_that_outlast_the_retries_say_what_is_left_and_a_rerun_sends_it(
        fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    fake.fail("POST", "/v1/messages/batches", [429] * 6)
    result = thrifty("batch", "submit", str(job), "--json")
    assert result.exit_code == 1
    sent = json.loads(result.stdout)
    assert sent["sent"] == 0 and sent["left"] == 200 and "still rate limited (429)" in sent["error"]
    assert fake.created_requests == []
    table = thrifty("batch", "submit", str(job))  # the limit has passed: the rerun sends everything, once
    assert table.exit_code == 0 and "sent 200 items" in table.output
    assert len(fake.created_requests) == 200 and len({c for _, c in fake.created_requests}) == 200


def test_a_server_error_on_create_is_not_resent_but_settled_by_the_next_submit(
        fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    ids = custom_ids(job, project)
    fake.fail_after_create([500], hidden_lists=100)  # the batch is made, the answer is a 500, the list lags
    result = thrifty("batch", "submit", str(job), "--json")
    assert result.exit_code == 1
    first = json.loads(result.stdout)
    assert "failed ambiguously" in first["error"] and "nothing is resent now" in first["error"]
    assert first["sent"] == 0 and first["left"] == 200
    assert fake.calls.count(("POST", "/v1/messages/batches")) == 1  # no second create in the same run
    assert [b for b, _ in fake.created_requests] == ["msgbatch_000001"] * 75

    fake.unlisted.clear()  # a few minutes later the list shows it
    rerun = thrifty_json("batch", "submit", str(job))  # adopted, the rest sent
    assert rerun["error"] is None
    assert [(b["batch_id"], b["requests"], b["adopted"]) for b in rerun["batches"]] == [
        ("msgbatch_000001", 75, True), ("msgbatch_000002", 75, False), ("msgbatch_000003", 50, False)]
    assert sorted(c for _, c in fake.created_requests) == sorted(ids)  # every item exactly once
    assert thrifty_json("batch", "results", "label", "--out", str(project / "out"))["succeeded"] == 200


def test_a_timeout_on_create_is_not_resent_and_an_unmade_batch_is_sent_by_the_rerun(
        fake: FakeBatches, project: Path, tickets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = write_job(project)
    ids = custom_ids(job, project)
    real = anthropic.Anthropic.with_options

    def timing_out(self: anthropic.Anthropic, **kwargs: Any) -> anthropic.Anthropic:
        if kwargs.get("max_retries") == 0:  # the create client
            kwargs["timeout"] = 1.0
        return real(self, **kwargs)

    monkeypatch.setattr(anthropic.Anthropic, "with_options", timing_out)
    fake.hold_create(1, after_creating=False)  # the create parks until the client has given up on it
    try:
        result = thrifty("batch", "submit", str(job), "--json")
    finally:
        fake.release()  # the API then makes the batch the client no longer waits for
    assert result.exit_code == 1
    assert "did not answer in time" in json.loads(result.stdout)["error"]
    assert fake.calls.count(("POST", "/v1/messages/batches")) == 1
    monkeypatch.setattr(anthropic.Anthropic, "with_options", real)
    thrifty_json("batch", "submit", str(job))
    assert sorted(c for _, c in fake.created_requests) == sorted(ids)  # made by one run or the other, once


def test_a_same_sized_batch_of_another_job_is_not_adopted(fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    ids = custom_ids(job, project)
    fake.fail("POST", "/v1/messages/batches", [500])  # refused before creating anything
    assert thrifty("batch", "submit", str(job), "--json").exit_code == 1
    body = {"model": "claude-haiku-4-5-20251001", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
    with fake.lock:  # another tool's batch of 75 requests, made meanwhile and ended
        foreign = fake.create([{"custom_id": f"other-{n}", "params": body} for n in range(75)])["id"]
        fake.retrieve(foreign)
    rerun = thrifty_json("batch", "submit", str(job))
    assert foreign not in {b["batch_id"] for b in rerun["batches"]}
    assert rerun["sent"] == 200 and not any(b["adopted"] for b in rerun["batches"])
    assert sorted(c for b, c in fake.created_requests if b != foreign) == sorted(ids)


def test_results_with_unusable_token_counts_are_a_clear_error(fake: FakeBatches, project: Path,
                                                              tickets: Path) -> None:
    job = write_job(project)
    fake.bad_usage = {custom_ids(job, project)[5]}
    thrifty_json("batch", "submit", str(job))
    result = thrifty("batch", "results", "label", "--out", str(project / "out"))
    assert result.exit_code == 1 and "unusable token counts" in result.output
    assert "Traceback" not in result.output


def test_status_of_an_unknown_id_and_results_before_any_submit_are_clear(fake: FakeBatches) -> None:
    result = thrifty("batch", "status", "nope")
    assert result.exit_code == 1 and "no batch or job 'nope'" in result.output and "thrifty batch list" in result.output
