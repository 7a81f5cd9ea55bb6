"""grep_and_read's engine on real trees with real rg: what is found, skipped, refused, cut and continued."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from thrifty.errors import ToolError
from thrifty.search import engine, filetext, rg
from thrifty.search.engine import SearchRequest, grep_and_read
from thrifty.textout import estimate_tokens

MATCH_ROW = re.compile(r"^\s*(\d+):", re.MULTILINE)


def _run(root: Path, *patterns: str, **options) -> str:
    return grep_and_read(root, SearchRequest(patterns=list(patterns), **options)).text


def _file_sections(text: str) -> dict[str, list[int]]:
    """path -> matching line numbers shown under that file's header."""
    sections: dict[str, list[int]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("== "):
            current = line[3:].split(":")[0]
            sections.setdefault(current, [])
        elif current and (m := MATCH_ROW.match(line)):
            sections[current].append(int(m.group(1)))
    return sections


def test_matches_are_grouped_per_file_with_numbered_context_and_marked_match_lines(project: Path, write) -> None:
    write("a.py", "one\ntwo\nneedle = 1\nfour\nfive\nsix\n")
    text = _run(project, "needle", context=1)
    assert text.splitlines() == ["== a.py:2-4 of 6 ==", "2 two", "3:needle = 1", "4 four"]


def test_gitignored_hidden_and_binary_files_are_skipped(project: Path, write) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    write(".gitignore", "build/\n")
    write("build/out.py", "needle\n")
    write(".hidden/secret.py", "needle\n")
    write("blob.dat", b"needle\x00\x01\x02")
    write("src/app.py", "needle\n")
    assert list(_file_sections(_run(project, "needle"))) == ["src/app.py"]


def test_a_path_outside_the_root_is_refused_by_name_while_the_others_are_searched(
    project: Path, write, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("needle\n", encoding="utf-8")
    (project / "link").symlink_to(outside)
    write("src/app.py", "needle\n")
    text = _run(project, "needle", paths=["src", "../outside", "link", str(outside / "secret.py")])
    assert list(_file_sections(text)) == ["src/app.py"]
    for refused in ("../outside", "link", str(outside / "secret.py")):
        assert f"{refused}: outside the project root" in text
    assert "secret" not in text.replace(str(outside / "secret.py"), "")


def test_a_symlink_inside_the_tree_that_leads_out_is_not_followed(project: Path, write, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("needle\n", encoding="utf-8")
    (project / "link").symlink_to(outside)
    (project / "file-link.py").symlink_to(outside / "secret.py")
    write("src/app.py", "needle\n")
    assert list(_file_sections(_run(project, "needle"))) == ["src/app.py"]


def test_globs_and_gitignore_negations_pointing_out_of_the_root_read_nothing_outside(
    project: Path, write, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("needle\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    write(".gitignore", "!../outside/\n!/../outside/secret.py\n")
    write("src/app.py", "needle\n")
    text = _run(project, "needle", paths=[".", "../**", "../outside/*.py", "!../**"])
    assert list(_file_sections(text)) == ["src/app.py"]
    assert "../**: outside the project root" in text and "../outside/*.py: outside the project root" in text
    with pytest.raises(ToolError, match=r"nothing to search: \.\./\*\*: outside the project root"):
        _run(project, "needle", paths=["../**"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_by_name_at_once_and_skipped_in_a_directory_walk(project: Path, write) -> None:
    os.mkfifo(project / "pipe")
    write("a.py", "needle\n")
    text = _run(project, "needle", paths=["pipe", "."], timeout=5.0)
    assert "pipe: not a regular file or directory" in text
    assert list(_file_sections(text)) == ["a.py"] and "timeout" not in text
    with pytest.raises(ToolError, match="nothing to search: pipe: not a regular file"):
        _run(project, "needle", paths=["pipe"])


def test_only_refused_paths_is_an_error_naming_them(project: Path) -> None:
    with pytest.raises(ToolError, match=r"nothing to search: \.\./x: outside the project root"):
        _run(project, "needle", paths=["../x"])


def test_a_missing_path_is_named_with_near_names(project: Path, write) -> None:
    write("src/config.py", "needle\n")
    text = _run(project, "needle", paths=["src/confg.py", "src"])
    assert "src/confg.py: not found (did you mean src/config.py?)" in text
    assert list(_file_sections(text)) == ["src/config.py"]


def test_every_invalid_regex_is_named_with_its_reason(project: Path, write) -> None:
    write("a.py", "x\n")
    with pytest.raises(ToolError) as caught:
        _run(project, "a(b", "[z")
    message = str(caught.value)
    assert "pattern 1 `a(b`: unclosed group" in message
    assert "pattern 2 `[z`: unclosed character class" in message


def test_an_invalid_regex_or_glob_is_dropped_alone_and_the_rest_of_the_call_is_answered(project: Path, write) -> None:
    write("a.py", "ok = 1\n")
    write("b.txt", "ok = 2\n")
    request = SearchRequest.from_paths_and_globs(project, ["*.py", "a[", "*" * 5000], patterns=["ok", "a(b"])
    outcome = grep_and_read(project, request)
    assert list(_file_sections(outcome.text)) == ["a.py"]
    assert "pattern 2 `a(b`: unclosed group; not searched" in outcome.text
    assert "glob `a[`: " in outcome.text
    assert f"glob `{'*' * 20}" in outcome.text
    assert "too long (5,000 characters, at most 1,000); not used" in outcome.text


def test_paths_the_file_system_rejects_are_named_with_the_reason_and_the_rest_searched(project: Path, write) -> None:
    write("a.py", "ok = 1\n")
    (project / "loop").symlink_to("loop")
    outcome = grep_and_read(project, SearchRequest(patterns=["ok"], paths=["x" * 256, "a.py/inside", "loop", "a.py"]))
    assert list(_file_sections(outcome.text)) == ["a.py"]
    assert f"{'x' * 256}: cannot be searched (File name too long)" in outcome.text
    assert "loop: cannot be resolved (Symlink loop" in outcome.text
    assert "a.py/inside: cannot be searched (Not a directory)" in outcome.text


def test_an_invalid_glob_is_reported(project: Path, write) -> None:
    write("a.py", "x\n")
    with pytest.raises(ToolError, match="invalid glob"):
        _run(project, "x", globs=["a["])


def test_a_flood_of_matches_in_one_file_is_cut_early_and_only_what_can_be_shown_is_processed(
    project: Path, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("flood.txt", "x\n" * 30_000)
    processed: list[int] = []
    real_around = engine.around

    def counting(match_lines, context, total):
        processed.append(len(match_lines))
        return real_around(match_lines, context, total)

    monkeypatch.setattr(engine, "around", counting)
    outcome = grep_and_read(project, SearchRequest(patterns=["x"], max_tokens=2000))
    result = outcome.result
    assert result.matches == 30_000
    shown = sum(len(w.matches) for f in result.files for w in f.windows)
    assert shown + result.omitted.matches == 30_000
    assert "omitted (max_tokens reached)" in outcome.text and result.next_offset == shown
    assert sum(processed) <= 2000  # lines windowed: what a 2,000-token page could show, not the 30,000 matches


@pytest.mark.parametrize(("patterns", "message"), [([], "patterns is empty"), (["x", ""], "empty pattern")])
def test_unusable_patterns_are_refused(project: Path, patterns: list[str], message: str) -> None:
    with pytest.raises(ToolError, match=message):
        grep_and_read(project, SearchRequest(patterns=patterns))


def test_no_match_says_so_and_names_the_patterns(project: Path, write) -> None:
    write("a.py", "x\n")
    text = _run(project, "nothere", "absent")
    assert text.startswith("patterns: p1=`nothere` p2=`absent`")
    assert "no matches in . (.gitignore'd, hidden and binary files are skipped) for: `nothere`, `absent`" in text


def test_several_patterns_say_which_hit_which_line_and_which_matched_nothing(project: Path, write) -> None:
    write("a.py", "def load():\n    return open(p)\n")
    outcome = grep_and_read(project, SearchRequest(patterns=["def load", r"open\(", "never_there"], context=0))
    assert "== a.py:1-2 of 2 p1:1 p2:2 ==" in outcome.text
    assert "no match for: `never_there`" in outcome.text
    assert outcome.result.unmatched_patterns == ["never_there"]


def test_a_pattern_only_rust_understands_still_gets_its_lines(project: Path, write) -> None:
    write("a.py", "alpha\nbeta\n")
    text = _run(project, r"\p{Greek}|beta", "alpha", context=0)  # Python's re has no \p{...}
    assert "p1:2 p2:1" in text


def test_a_pattern_that_makes_backtracking_engines_explode_is_attributed_in_linear_time(project: Path, write) -> None:
    write("a.py", "a" * 60 + "!\n")  # Python's re needs ~2**60 steps for (\w+\s?)+$ on this line
    text = _run(project, r"(\w+\s?)+$", "a{10}", context=0)
    assert "== a.py:1-1 of 1 p2:1 ==" in text


def test_patterns_and_paths_starting_with_a_dash_are_not_flags(project: Path, write) -> None:
    write("-n.py", "x = '--version'\n")
    assert list(_file_sections(_run(project, "--version", paths=["-n.py"]))) == ["-n.py"]


def test_hundreds_of_patterns_in_one_call(project: Path, write) -> None:
    write("a.py", "word_123 = 1\n")
    outcome = grep_and_read(project, SearchRequest(patterns=[f"word_{i}\\b" for i in range(300)], context=0))
    assert outcome.result.matches == 1
    assert "p124:1" in outcome.text


def test_too_many_patterns_get_a_clear_message(project: Path) -> None:
    with pytest.raises(ToolError, match="at most 500 per call"):
        grep_and_read(project, SearchRequest(patterns=["x"] * 501))


def test_globs_in_paths_filter_the_files_searched(project: Path, write) -> None:
    write("a.py", "needle\n")
    write("a.txt", "needle\n")
    write("tests/test_a.py", "needle\n")
    request = SearchRequest.from_paths_and_globs(project, ["*.py", "!tests/**"], patterns=["needle"])
    assert list(_file_sections(grep_and_read(project, request).text)) == ["a.py"]


def test_an_existing_path_with_brackets_stays_a_path(project: Path, write) -> None:
    write("app/[id]/page.tsx", "needle\n")
    write("app/i/page.tsx", "needle\n")
    request = SearchRequest.from_paths_and_globs(project, ["app/[id]/page.tsx"], patterns=["needle"])
    assert list(_file_sections(grep_and_read(project, request).text)) == ["app/[id]/page.tsx"]


def test_symbol_scope_returns_the_whole_enclosing_function(project: Path, write) -> None:
    write("m.py", "import os\n\n\ndef load(path):\n    data = read(path)\n    return data\n\n\nX = 1\n")
    text = _run(project, r"read\(", scope="symbol")
    assert text.splitlines() == [
        "== m.py:4-6 of 9 ==",
        "-- function load 4-6",
        "4 def load(path):",
        "5:    data = read(path)",
        "6     return data",
    ]


@pytest.mark.parametrize("max_tokens", [200, 400, 1000, 3000])
def test_the_text_never_exceeds_max_tokens(project: Path, write, max_tokens: int) -> None:
    for i in range(40):
        write(f"pkg/mod{i:02}.py", "".join(f"value_{j} = needle({j})\n" for j in range(30)))
    outcome = grep_and_read(project, SearchRequest(patterns=["needle"], max_tokens=max_tokens, paths=[".", "../x"]))
    assert estimate_tokens(outcome.text) <= max_tokens
    assert "omitted" in outcome.text and f"offset={outcome.result.next_offset}" in outcome.text


def test_continuing_with_the_offset_returns_every_match_exactly_once(project: Path, write) -> None:
    for i in range(12):
        write(f"pkg/mod{i:02}.py", "".join(f"v{j} = {'needle' if j % 7 == 0 else 'x'}\n" for j in range(60)))
    full = _file_sections(_run(project, "needle", max_tokens=60000))
    seen: dict[str, list[int]] = {}
    offset: int | None = 0
    pages = 0
    while offset is not None:
        outcome = grep_and_read(project, SearchRequest(patterns=["needle"], max_tokens=400, offset=offset))
        for path, lines in _file_sections(outcome.text).items():
            seen.setdefault(path, []).extend(lines)
        offset = outcome.result.next_offset
        pages += 1
        assert pages < 50
    assert pages > 3
    assert seen == full
    assert sum(len(v) for v in full.values()) == 12 * 9


def test_a_window_larger_than_the_budget_is_shown_in_part_and_points_to_the_rest(project: Path, write) -> None:
    write("big.py", "".join(f"line_{i} = {i}\n" for i in range(1, 401)))
    first = grep_and_read(project, SearchRequest(patterns=["line_200 "], context=199, max_tokens=300))
    cut = re.search(r"big\.py: lines (\d+)-399 did not fit .* read_many 'big\.py:(\d+)-399'", first.text)
    assert cut and cut.group(1) == cut.group(2)
    assert first.text.splitlines()[0] == f"== big.py:1-{int(cut.group(1)) - 1} of 400 =="
    assert first.result.next_offset == 1  # the one match is passed: its own line was not reached, but paging moves on
    after = grep_and_read(project, SearchRequest(patterns=["line_200 "], context=199, offset=1))
    assert "nothing left after offset=1" in after.text


def test_paging_through_windows_larger_than_the_budget_still_reaches_every_match(project: Path, write) -> None:
    for i in range(3):
        write(f"m{i}.py", "".join(f"v{j} = {'needle' if j % 7 == 0 else 'x'}\n" for j in range(60)))
    full = _file_sections(_run(project, "needle"))
    seen: dict[str, list[int]] = {}
    offset: int | None = 0
    while offset is not None:
        outcome = grep_and_read(project, SearchRequest(patterns=["needle"], max_tokens=300, offset=offset))
        assert estimate_tokens(outcome.text) <= 300
        for path, lines in _file_sections(outcome.text).items():
            seen.setdefault(path, []).extend(lines)
        assert outcome.result.next_offset is None or outcome.result.next_offset > offset
        offset = outcome.result.next_offset
    assert seen == full


def test_a_large_file_is_streamed_and_shown_as_line_windows_even_for_symbol_scope(
    project: Path, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filetext, "FULL_READ_BYTES", 1000)
    body = "".join(f"    x{i} = {i}\n" for i in range(5000))
    write("huge.py", "def f():\n" + body + "    needle = 1\n" + body)  # only the lines up to 5003 are read
    text = _run(project, "needle", scope="symbol", context=1)
    assert text.splitlines() == [
        "== huge.py:5001-5003 (large file, streamed) ==",
        "5001     x4999 = 4999",
        "5002:    needle = 1",
        "5003     x0 = 0",
    ]


def test_binary_files_named_explicitly_are_reported_as_skipped(project: Path, write) -> None:
    write("blob.bin", b"needle\x00\x01")
    write("a.py", "needle\n")
    text = _run(project, "needle", paths=["blob.bin", "a.py"])
    assert "binary files skipped: blob.bin" in text
    assert list(_file_sections(text)) == ["a.py"]


def test_a_timeout_returns_what_was_found_and_says_so(project: Path, write) -> None:
    write("a.py", "needle\n")
    write("b.txt", "needle\n" * 300_000)  # enough work that rg cannot finish before the timer on a busy machine
    outcome = grep_and_read(project, SearchRequest(patterns=["needle"], timeout=0.0001))
    assert "rg stopped after 0.0001s (timeout): results are partial" in outcome.text
    assert outcome.result.complete is False


def test_output_over_the_cap_is_cut_and_the_total_counted(
    project: Path, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(20):
        write(f"f{i:02}.txt", "needle\n" * 2000)
    monkeypatch.setattr(rg, "MAX_OUTPUT_BYTES", 20_000)
    outcome = grep_and_read(project, SearchRequest(patterns=["needle"]))
    assert "stopped reading; in all 40,000 matches in 20 files" in outcome.text
    assert outcome.result.complete is False


def test_a_directory_of_ten_thousand_files_is_searched_within_the_budget(project: Path) -> None:
    for d in range(100):
        folder = project / f"d{d:03}"
        folder.mkdir()
        for f in range(100):
            (folder / f"f{f:03}.txt").write_text("needle\n" if f % 10 == 0 else "hay\n", encoding="utf-8")
    outcome = grep_and_read(project, SearchRequest(patterns=["needle"]))
    assert outcome.result.files_matched == 1000
    assert estimate_tokens(outcome.text) <= 6000
    assert "omitted (max_tokens reached):" in outcome.text


def test_the_time_budget_covers_reading_the_files_not_only_rg(
    project: Path, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.py", "needle\n")
    write("b.py", "needle\n")
    monkeypatch.setattr(engine.Deadline, "passed", property(lambda self: True))  # spent by the time rg returned
    outcome = grep_and_read(project, SearchRequest(patterns=["needle"], timeout=7))
    assert _file_sections(outcome.text) == {}
    assert "stopped after 7s (the time budget of this call) while reading the matching files" in outcome.text
    assert "continue with offset=0" in outcome.text
    assert outcome.result.complete is False
