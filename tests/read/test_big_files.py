"""Memory is bounded by the budget, not by the file: a 4 MB Python file of a million statements (just under the
outline limit) is outlined and searched by definition, and so are five copies at once, in a fresh process whose own
peak RSS is measured.

The peak is the child's VmHWM, not its ru_maxrss: the child is started by vfork (or fork) and exec, and Linux carries
the parent's high-water RSS over into the child's ru_maxrss (exec_mmap), so a pytest process grown to 350 MB by the
tests before this one made the child report 350 MB however little it used."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from thrifty.read.files import OUTLINE_MAX_BYTES
from thrifty.symbols.languages import python

PEAK_LIMIT_MB = 300
COPIES = 5  # held whole until the page was laid out, five such files took ~420 MB
MEASURE = r"""
import json, sys
from pathlib import Path
from thrifty.read.read_many import read_many
from thrifty.search.engine import SearchRequest, grep_and_read
root = Path(sys.argv[1])
texts = [read_many(root, ["dense.py#Last"], 2000).text, read_many(root, ["dense.py"], 2000).text,
         grep_and_read(root, SearchRequest(patterns=["return 1"], paths=["dense.py"], scope="symbol")).text,
         grep_and_read(root, SearchRequest(patterns=["return 1"], paths=["copies"], scope="symbol")).text]
status = Path("/proc/self/status").read_text()
peak_kb = int(status.split("VmHWM:")[1].split()[0])  # this process's own peak, whatever its parent's
print(json.dumps({"texts": texts, "peak_mb": peak_kb / 1024}))
"""


def test_a_definition_and_an_outline_of_a_4_mb_python_file_stay_under_300_mb(project: Path) -> None:
    body = "x=1\n" * 1_000_000 + "def Last():\n    return 1\n"
    assert len(body) < OUTLINE_MAX_BYTES
    (project / "dense.py").write_text(body, encoding="utf-8")
    (project / "copies").mkdir()
    for copy in range(COPIES):
        (project / "copies" / f"dense{copy}.py").write_text(body, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", MEASURE, str(project)], capture_output=True, text=True,
                          timeout=600, check=True)
    measured = json.loads(done.stdout)
    definition, outline, search, searches = measured["texts"]
    assert "== dense.py:1000001-1000002 of 1000002 Last (function) ==" in definition
    assert "function Last 1000001-1000002" in outline
    assert "function Last 1000001-1000002" in search and "1000002 " in search
    assert searches.count("function Last 1000001-1000002") == COPIES
    assert measured["peak_mb"] < PEAK_LIMIT_MB, measured["peak_mb"]


def test_the_streamed_python_scan_finds_what_ast_finds_on_ordinary_code() -> None:
    source = '''import os


@decorator(
    arg=1,
)
class Store:
    """A docstring.

    def not_a_function(): inside the string
    """

    def get(self, key):  # a comment
        value = (
            key,
        )
        return value

    async def put(self, key,
                  value):
        return None
# a comment at column 0 inside nothing


def helper():
    text = """
def fake():
"""
    return text
'''
    expected = sorted((s.qualname, s.kind, s.start, s.end) for s in python._python_ast(source))
    streamed = sorted((s.qualname, s.kind, s.start, s.end) for s in python.python_stream(io.StringIO(source)))
    assert streamed == expected
