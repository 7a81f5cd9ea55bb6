"""Clear messages for what a user gets wrong: no key, a bad job file, a glob matching nothing, oversized items."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest
from batch_helpers import JOB_200, thrifty, thrifty_json, write_job
from fake_api import FakeBatches

from thrifty.batch import status
from thrifty.batch.client import make_client
from thrifty.commands.ledger_access import open_ledger
from thrifty.paths import data_dir


def test_without_a_key_plan_estimates_and_says_so_and_submit_explains_what_pays(
        project: Path, tickets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(project))
    job = write_job(project)
    plan = thrifty_json("batch", "plan", str(job))
    assert plan["counts"] == "estimated" and plan["items"] == 200
    assert any("estimated" in note and "ANTHROPIC_API_KEY" in note for note in plan["notes"])
    table = thrifty("batch", "plan", str(job)).output
    assert "batch, cached prefix" in table and "interactive subagents, list price" in table and "estimated" in table
    result = thrifty("batch", "submit", str(job))
    assert result.exit_code == 1
    assert "ANTHROPIC_API_KEY is not set" in result.output and "subscription login" in result.output


def test_a_key_the_api_refuses_is_named_as_the_problem(fake: FakeBatches, project: Path, tickets: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-wrong")
    result = thrifty("batch", "plan", str(write_job(project)))
    assert result.exit_code == 1 and "refused the key in ANTHROPIC_API_KEY (401)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("job_text", "message"), [
    (JOB_200 + "itemz = 'x'\n", "unknown key 'itemz' (did you mean 'items'?)"),
    ('prompt = "Sum up {item}"\nitems = "src/**/*.py"\n', "items = 'src/**/*.py' matches no file under"),
    (JOB_200.replace('items_jsonl = "tickets.jsonl"', 'items = "*.jsonl"'), "glob items only have {item}"),
    (JOB_200 + 'items = "*.md"\n', "give exactly one of `items`"),
    (JOB_200.replace("{title}", "").replace("{body}", ""), "the prompt has no placeholder"),
    (JOB_200.replace('"tickets.jsonl"', '"../elsewhere.jsonl"'), "outside the project root"),
    (JOB_200.replace("max_tokens = 64", "max_tokens = 'lots'"), "max_tokens: Input should be a valid integer"),
    ('prompt = "x {item}"\nitems = "*.jsonl"\ncontext = ["missing.md"]\n', "context item 'missing.md'"),
    ("prompt = [", "is not valid TOML"),
])
def test_a_bad_job_file_is_refused_with_what_to_fix(fake: FakeBatches, project: Path, tickets: Path, job_text: str,
                                                     message: str) -> None:
    result = thrifty("batch", "plan", str(write_job(project, job_text)))
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and fake.calls == []


def test_items_that_cannot_be_sent_are_refused_by_name(fake: FakeBatches, project: Path) -> None:
    (project / "big.md").write_text("".join(f"line {n} " + "x" * 60 + "\n" for n in range(2000)))
    (project / "notes").mkdir()
    (project / "notes" / "a.txt").write_text("short note\n")
    (project / "notes" / "big.txt").write_text("".join(f"entry {n} " + "y" * 70 + "\n" for n in range(4000)))
    job = write_job(project, """model = "claude-haiku-4-5"
max_tokens = 128000
context = ["big.md"]
context_max_tokens = 60000
prompt = "Summarise {path}:\\n{item}"
items = "notes/*.txt"
item_max_tokens = 60000
""")
    plan = thrifty_json("batch", "plan", str(job))
    assert plan["items"] == 1 and [r["item"] for r in plan["refused"]] == ["notes/big.txt"]
    assert "> claude-haiku-4-5's 200,000-token context" in plan["refused"][0]["reason"]

    lines = [json.dumps({"title": "ok"}), "not json", json.dumps({"other": 1})]
    (project / "t.jsonl").write_text("\n".join(lines) + "\n")
    job = write_job(project, 'prompt = "Label {title}"\nitems_jsonl = "t.jsonl"\n', "t.toml")
    refused = thrifty_json("batch", "plan", str(job))["refused"]
    assert [(r["item"], r["reason"][:20]) for r in refused] == [("t.jsonl:2", "not JSON (Expecting "),
                                                             ("t.jsonl:3", "has no field 'title'")]
    sent = thrifty_json("batch", "submit", str(job))
    assert sent["sent"] == 1 and len(fake.created_requests) == 1


def test_status_polls_back_off_until_the_batches_end(fake: FakeBatches, project: Path, tickets: Path) -> None:
    thrifty_json("batch", "submit", str(write_job(project)))
    fake.polls_before_end = 3
    waits: list[float] = []
    with open_ledger(ingest=False) as conn:
        from thrifty.batch import store

        final = status.wait_until_ended(conn, make_client(), store.resolve(conn, "label"), waits.append)
    assert waits == [10.0, 15.0, 22.5] and {s.status for s in final} == {"ended"}
    assert [p for p in fake.calls if p == ("GET", "/v1/messages/batches/msgbatch_000001")] == [
        ("GET", "/v1/messages/batches/msgbatch_000001")] * 4


def test_report_batches_without_any_batch_says_how_to_send_one(project: Path) -> None:
    result = thrifty("report", "batches")
    assert result.exit_code == 0 and "thrifty batch submit JOB" in result.output


def test_a_second_submit_of_a_job_while_one_runs_is_refused(fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    thrifty_json("batch", "plan", str(job))
    locks = data_dir() / "batch-locks"
    locks.mkdir(parents=True)
    with open(locks / "label.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running submit holds it
        result = thrifty("batch", "submit", str(job))
    assert result.exit_code == 1 and "another `thrifty batch submit` of label is running" in result.output
    assert fake.created_requests == []


def test_submit_wait_reads_the_results_when_the_batches_end(fake: FakeBatches, project: Path, tickets: Path) -> None:
    out = project / "labels"
    done = thrifty_json("batch", "submit", str(write_job(project)), "--wait", "--out", str(out))
    assert done["submit"]["sent"] == 200 and done["results"]["succeeded"] == 200
    assert {s["status"] for s in done["status"]["batches"]} == {"ended"}
    assert len((out / "results.jsonl").read_text().splitlines()) == 200 and len(list(out.glob("*.txt"))) == 200
