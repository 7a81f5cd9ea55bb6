"""Memory is bounded by the budget, not by the file: a 4 MB Python file of a million statements (just under the
outline limit) is outlined and searched by definition in a fresh process whose peak RSS is measured (ru_maxrss)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from thrifty.read.files import OUTLINE_MAX_BYTES
from thrifty.symbols.languages import python

PEAK_LIMIT_MB = 300
MEASURE = r"""
import json, resource, sys
from pathlib import Path
from thrifty.read.read_many import read_many
from thrifty.search.engine import SearchRequest, grep_and_read
root = Path(sys.argv[1])
texts = [read_many(root, ["dense.py#Last"], 2000).text, read_many(root, ["dense.py"], 2000).text,
         grep_and_read(root, SearchRequest(patterns=["return 1"], scope="symbol")).text]
print(json.dumps({"texts": texts, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def test_a_definition_and_an_outline_of_a_4_mb_python_file_stay_under_300_mb(project: Path) -> None:
    body = "x=1\n" * 1_000_000 + "def Last():\n    return 1\n"
    assert len(body) < OUTLINE_MAX_BYTES
    (project / "dense.py").write_text(body, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", MEASURE, str(project)], capture_output=True, text=True,
                          timeout=600, check=True)
    measured = json.loads(done.stdout)
    definition, outline, search = measured["texts"]
    assert "== dense.py:1000001-1000002 of 1000002 Last (function) ==" in definition
    assert "function Last 1000001-1000002" in outline
    assert "function Last 1000001-1000002" in search and "1000002 " in search
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
