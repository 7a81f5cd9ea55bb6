"""A `thrifty batch submit` killed in the middle, then run again: every item is sent exactly once."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest
from batch_helpers import spawn, thrifty, thrifty_json, write_job
from fake_api import FakeBatches


@pytest.mark.parametrize("after_creating", [False, True], ids=["killed-before-the-api-created", "killed-after"])
def test_a_rerun_after_a_kill_mid_submit_sends_nothing_twice(fake: FakeBatches, project: Path, tickets: Path,
                                                             after_creating: bool) -> None:
    job = write_job(project)
    fake.hold_create(2, after_creating)  # the second of three creates parks until the process is dead
    process = spawn("batch", "submit", str(job), "--json")
    try:
        assert fake.wait_held(), "the submit never reached its second batch"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        fake.release()
    assert process.returncode == -signal.SIGKILL
    before = len(fake.created_requests)
    assert before == (150 if after_creating else 75)

    rerun = thrifty_json("batch", "submit", str(job))
    sent = Counter(custom_id for _, custom_id in fake.created_requests)
    assert len(sent) == 200 and set(sent.values()) == {1}, "an item was sent twice or never"
    assert rerun["sent"] == 200 - before and rerun["already_sent"] == before
    adopted = [b for b in rerun["batches"] if b["adopted"]]
    assert [b["batch_id"] for b in adopted] == (["msgbatch_000002"] if after_creating else [])
    if after_creating:  # the rerun asked the API which batches exist before sending anything
        assert ("GET", "/v1/messages/batches") in fake.calls

    again = thrifty_json("batch", "submit", str(job))
    assert again["sent"] == 0 and len(fake.created_requests) == 200
    statuses = thrifty_json("batch", "status", "label")["batches"]
    assert sum(s["requests"] for s in statuses) == 200 and len(statuses) == 3


def test_an_interrupted_create_that_could_be_either_of_two_batches_is_not_guessed(
        fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    fake.hold_create(1, after_creating=True)
    process = spawn("batch", "submit", str(job))
    try:
        assert fake.wait_held()
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        fake.release()
    other = [{"custom_id": f"other-{n}", "params": {"model": "claude-haiku-4-5", "max_tokens": 5,
                                                   "messages": [{"role": "user", "content": "hi"}]}}
             for n in range(75)]
    with fake.lock:
        fake.create(other)  # another tool's batch of the same size, made meanwhile in the same workspace
    result = thrifty("batch", "submit", str(job))
    assert result.exit_code == 1
    assert "may have created any of msgbatch_000002, msgbatch_000001" in result.output
    assert len(fake.created_requests) == 150  # nothing more was sent
    listed = thrifty("batch", "list")
    assert listed.exit_code == 0 and "interrupted before its batch id was recorded" in listed.output
