"""read_many's core: what each item shows, how the budget is shared, and that every cut is announced."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from thrifty.read.files import WHOLE_MAX_LINES
from thrifty.read.read_many import MAX_ITEMS, read_many
from thrifty.textout import estimate_tokens

MODULE = textwrap.dedent('''
    """A module."""
    import os


    class Store:
        def get(self, key):
            return os.environ.get(key)

        def put(self, key, value):
            os.environ[key] = value


    def helper():
        return Store()


    def help_me():
        return 1
''').lstrip()


def big_module(functions: int) -> str:
    return "".join(f"def f{n}(x):\n    y = x + {n}\n    return y * 2\n\n\n" for n in range(functions))


def numbers_in(text: str) -> set[int]:
    return {int(m.group(1)) for m in re.finditer(r"^ *(\d+) ", text, re.M)}


def test_a_small_file_comes_whole_with_a_header_and_numbered_lines(project: Path) -> None:
    (project / "store.py").write_text(MODULE, encoding="utf-8")
    result = read_many(project, ["store.py"], 6000)
    lines = result.text.splitlines()
    assert lines[0] == "== store.py:1-18 of 18 =="
    assert lines[1] == ' 1 """A module."""'
    assert numbers_in(result.text) == set(range(1, 19))
    assert result.items[0].status == "ok" and (result.items[0].start, result.items[0].end) == (1, 18)


def test_symbols_ranges_and_files_come_back_in_one_call_in_item_order(project: Path) -> None:
    (project / "store.py").write_text(MODULE, encoding="utf-8")
    (project / "notes.txt").write_text("alpha\nbeta\ngamma\ndelta\n", encoding="utf-8")
    result = read_many(project, ["store.py#Store.put", "notes.txt:2-3", "store.py#helper"], 6000)
    headers = [line for line in result.text.splitlines() if line.startswith("==")]
    assert headers == [
        "== store.py:9-10 of 18 Store.put (method) ==",
        "== notes.txt:2-3 of 4 ==",
        "== store.py:13-14 of 18 helper (function) ==",
    ]
    assert "10         os.environ[key] = value" in result.text
    assert "\n2 beta\n3 gamma\n" in result.text and "alpha" not in result.text


def test_a_big_file_asked_whole_comes_as_an_outline_with_its_first_lines_and_how_to_ask_for_more(
    project: Path,
) -> None:
    (project / "big.py").write_text("class Holder:\n    def method(self):\n        pass\n\n\n" + big_module(200),
                                    encoding="utf-8")
    result = read_many(project, ["big.py"], 6000)
    lines = result.text.splitlines()
    assert lines[0].startswith("== big.py:1-30 of ") and lines[0].endswith(" outline ==")
    assert lines[1:3] == ["class Holder 1-3", "  method method 2-3"]
    assert "function f0 6-8" in lines
    assert any(line.startswith("note: ") and "big.py#Name" in line and "big.py:START-END" in line for line in lines)
    assert result.items[0].status == "outline"
    assert estimate_tokens(result.text) <= 6000


def test_a_tight_budget_is_never_exceeded_and_every_cut_names_the_exact_range_to_ask_for_next(project: Path) -> None:
    (project / "big.py").write_text(big_module(300), encoding="utf-8")
    result = read_many(project, ["big.py:1-1500"], 300)
    assert estimate_tokens(result.text) <= 300
    shown = numbers_in(result.text)
    last = max(shown)
    assert shown == set(range(1, last + 1))
    assert f"note: lines {last + 1}-1500 omitted ({1500 - last:,} lines) to fit max_tokens; " \
           f"ask for big.py:{last + 1}-1500" in result.text
    assert result.items[0].status == "partial"


def test_the_budget_is_shared_fairly_so_a_huge_first_item_does_not_starve_the_others(project: Path) -> None:
    (project / "huge.py").write_text(big_module(2000), encoding="utf-8")
    (project / "small.py").write_text(MODULE, encoding="utf-8")
    (project / "mid.py").write_text(big_module(300), encoding="utf-8")
    result = read_many(project, ["huge.py:1-", "small.py", "mid.py:1-"], 2000)
    assert estimate_tokens(result.text) <= 2000
    by_item = {r.item: r for r in result.items}
    assert by_item["small.py"].status == "ok"  # a small item is shown whole
    huge_rows = by_item["huge.py:1-"].end or 0
    mid_rows = by_item["mid.py:1-"].end or 0
    assert huge_rows > 50 and abs(huge_rows - mid_rows) <= 0.1 * mid_rows  # equal shares (of chars, not rows)
    assert result.text.count("omitted") == 2


def test_overlapping_and_duplicate_items_are_shown_once_and_say_so(project: Path) -> None:
    (project / "store.py").write_text(MODULE, encoding="utf-8")
    result = read_many(project, ["store.py:5-9", "store.py#Store.get", "store.py:8-11", "store.py:5-9"], 6000)
    assert result.text.count("==") == 2  # one header
    assert result.text.splitlines()[0] == "== store.py:5-11 of 18 Store.get (method) =="
    assert "3 overlapping items shown as one: store.py:5-9, store.py#Store.get, store.py:8-11" in result.text
    assert [r.status for r in result.items] == ["ok"] * 4


def test_bad_items_each_get_a_clear_error_while_the_other_items_still_succeed(project: Path) -> None:
    (project / "store.py").write_text(MODULE, encoding="utf-8")
    (project / "blob.bin").write_bytes(b"\x00\x01")
    (project / "latin.txt").write_bytes(b"caf\xe9 au lait\n")
    (project / "src").mkdir()
    (project / "src" / "app.py").write_text("x = 1\n", encoding="utf-8")
    items = [
        "stor.py", "store.py:40-50", "store.py#Stor", "store.py#help", "blob.bin", "latin.txt", "src",
        "../outside.py", "/etc/hostname", "store.py:1-2",
    ]
    result = read_many(project, items, 6000)
    text = result.text
    assert "== stor.py ==\nerror: no such file; did you mean: store.py" in text
    assert "error: past the end; store.py has 18 lines (ask for store.py:1-18 for its last lines)" in text
    assert "error: no definition named Stor in store.py; did you mean: store.py#Store" in text
    assert "error: no definition named help in store.py; did you mean: store.py#helper, store.py#help_me" in text
    assert "error: binary file" in text
    assert "error: not UTF-8 text (byte 0xe9 on line 1 is invalid)" in text
    assert "== src/ directory ==\napp.py\nnote: a directory (1 entries); ask for files in it, e.g. src/app.py" in text
    assert "== ../outside.py ==\nerror: outside the project root" in text
    assert "== /etc/hostname ==\nerror: outside the project root" in text
    assert "== store.py:1-2 of 18 ==" in text
    assert [r.status for r in result.items] == ["error"] * 6 + ["directory", "error", "error", "ok"]


def test_items_the_file_system_rejects_fail_alone_and_a_link_loop_does_not_hide_a_listing(project: Path) -> None:
    (project / "src").mkdir()
    (project / "src" / "app.py").write_text("x = 1\n", encoding="utf-8")
    (project / "src" / "loop").symlink_to("loop")
    items = ["x" * 300, "src/" + "y" * 300 + ".py", "z" * 300 + ":1-2", "src", "src/loop", "src/app.py"]
    result = read_many(project, items, 6000)
    assert [r.status for r in result.items] == ["error", "error", "error", "directory", "error", "ok"]
    assert result.items[0].note.endswith("cannot be read (File name too long)")
    listing = "app.py, loop@ (a symlink that cannot be followed: Too many levels of symbolic links)"
    assert f"== src/ directory ==\n{listing}" in result.text
    assert "== src/app.py:1-1 of 1 ==\n1 x = 1" in result.text


def test_a_tilde_path_for_an_unknown_user_fails_alone(project: Path) -> None:
    (project / "app.py").write_text("x = 1\n", encoding="utf-8")
    result = read_many(project, ["~nosuchuser_thrifty/x.py", "app.py"], 6000)
    assert [r.status for r in result.items] == ["error", "ok"]
    assert "~nosuchuser_thrifty/x.py: cannot be resolved" in result.items[0].note


def test_an_ambiguous_symbol_lists_each_definition_with_its_lines(project: Path) -> None:
    (project / "two.py").write_text("class A:\n    def run(self):\n        pass\n\nclass B:\n    def run(self):\n"
                                    "        pass\n", encoding="utf-8")
    result = read_many(project, ["two.py#run"], 6000)
    assert "error: 2 definitions match: A.run (method 2-3), B.run (method 6-7); ask for one, e.g. two.py#A.run" \
        in result.text


def test_a_symlink_leading_out_of_the_root_is_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n", encoding="utf-8")
    (project / "link.txt").symlink_to(secret)
    result = read_many(project, ["link.txt", "link.txt:1-1"], 6000)
    assert "password" not in result.text
    assert result.text.count("outside the project root") == 2


def test_a_range_past_the_end_shows_what_exists_and_says_how_long_the_file_is(project: Path) -> None:
    (project / "store.py").write_text(MODULE, encoding="utf-8")
    result = read_many(project, ["store.py:15-99"], 6000)
    assert result.text.splitlines()[0] == "== store.py:15-18 of 18 =="
    assert "note: store.py ends at line 18 (store.py:15-99 asked for more)" in result.text


def test_hundreds_of_items_stay_within_budget_and_the_rest_is_listed_as_omitted(project: Path) -> None:
    for n in range(500):
        (project / f"m{n:03}.py").write_text(f"VALUE = {n}\n" * 3, encoding="utf-8")
    items = [f"m{n:03}.py" for n in range(500)]
    result = read_many(project, items, 2000)
    assert estimate_tokens(result.text) <= 2000
    assert len(result.items) == 500
    last_line = result.text.splitlines()[-1]
    assert last_line.startswith("omitted: ") and "call read_many again with them" in last_line
    assert f"over the {MAX_ITEMS}-item cap" in last_line
    shown = [r for r in result.items if r.status == "ok"]
    omitted = [r for r in result.items if r.status == "omitted"]
    assert shown and len(shown) + len(omitted) == 500
    assert shown[-1].item == f"m{len(shown) - 1:03}.py"  # shown in order, the rest counted


def test_an_empty_file_is_shown_as_empty(project: Path) -> None:
    (project / "empty.py").write_text("", encoding="utf-8")
    result = read_many(project, ["empty.py"], 6000)
    assert result.text == "== empty.py of 0 ==\nnote: empty file"


def test_the_whole_file_threshold_is_documented_by_the_outline_note(project: Path) -> None:
    (project / "edge.txt").write_text("line\n" * WHOLE_MAX_LINES, encoding="utf-8")
    (project / "over.txt").write_text("line\n" * (WHOLE_MAX_LINES + 1), encoding="utf-8")
    result = read_many(project, ["edge.txt", "over.txt"], 60000)
    assert result.items[0].status == "ok"
    assert result.items[1].status == "outline"
    assert f"{WHOLE_MAX_LINES + 1} lines: only the first 30 lines shown; ask for over.txt:START-END" in result.text


def test_odd_file_names_with_colon_or_hash_are_read_whole_when_they_exist(project: Path) -> None:
    (project / "notes:1-2").write_text("one\ntwo\nthree\n", encoding="utf-8")
    (project / "a#b.txt").write_text("hash\n", encoding="utf-8")
    result = read_many(project, ["notes:1-2", "a#b.txt"], 6000)
    assert result.text == "== notes:1-2:1-3 of 3 ==\n1 one\n2 two\n3 three\n== a#b.txt:1-1 of 1 ==\n1 hash"
