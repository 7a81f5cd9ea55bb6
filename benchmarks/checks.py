"""Bench section `checks`: run_checks on a generated project with hundreds of real tests, some failing with real
tracebacks, and real ruff findings.

References, measured in the same run: the raw logs of the same commands (what Bash would hand the model), pytest's
own junit XML and ruff's own JSON (the lists of what failed), and each check run alone (for the wall time of
running them together).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import anyio
from mcp import Client
from mcp.types import TextContent

from benchmarks import Figure
from thrifty.app import ServerConfig, build_server
from thrifty.checks.env import check_env
from thrifty.checks.render import named_in_text
from thrifty.checks.service import run_checks

SECTION = "checks"
BASH_INLINE_CHARS = 30_000  # Claude Code's Bash returns up to this much inline (BASH_MAX_OUTPUT_LENGTH default)

CORE = '''
import json
import os
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Item:
    sku: str
    price: Decimal
    quantity: int = 0


@dataclass
class Inventory:
    items: dict = field(default_factory=dict)

    def add(self, sku, price, quantity=1):
        check_positive(quantity, "quantity")
        item = self.items.setdefault(sku, Item(sku, Decimal(price)))
        item.quantity += quantity
        return item

    def remove(self, sku, quantity=1):
        item = find(self.items, sku)
        if item.quantity < quantity:
            raise ValueError(f"only {item.quantity} of {sku} left, cannot remove {quantity}")
        item.quantity -= quantity
        return item

    def value(self, rate="0"):
        return sum((price_with_tax(i.price * i.quantity, rate) for i in self.items.values()), Decimal(0))


def parse_record(text):
    return json.loads(text)


def load(text):
    inventory = Inventory()
    for record in parse_record(text):
        inventory.add(record["sku"], record["price"], record.get("quantity", 1))
    return inventory


def price_with_tax(price, rate):
    return (Decimal(price) * (1 + Decimal(rate))).quantize(Decimal("0.01"))


def find(items, key):
    return items[key]


def ratio(a, b):
    return a / b


def check_positive(value, name):
    assert value > 0, f"{name} must be positive, got {value}"
    return value
'''

TEST_TEMPLATE = '''
import sys
from decimal import Decimal

import pytest

from inventory.core import Inventory, load, price_with_tax, ratio


@pytest.fixture
def stock():
    inventory = Inventory()
    inventory.add("apple", "0.50", 10)
    inventory.add("pear", "0.75", 4)
    return inventory


@pytest.mark.parametrize("n", range(10))
def test_price_{k}(n):
    price = str(10 + n)
    assert price_with_tax(price, "0.2") == price_with_tax(price, "0.20")


def test_load_{k}():
    records = '[{{"sku": "apple", "price": "0.5", "quantity": {k_plus}}},]' if {k} % 3 == 0 else '[]'
    inventory = load(records)
    assert len(inventory.items) <= 1


def test_remove_{k}(stock):
    sku = "plum" if {k} % 4 == 0 else "apple"
    stock.remove(sku, 2)
    remaining = stock.items[sku].quantity
    assert remaining == 8


def test_remove_too_many_{k}(stock):
    wanted = 5 if {k} % 5 == 0 else 3
    item = stock.remove("pear", wanted)
    assert item.quantity == 4 - wanted


def test_ratio_{k}():
    sold, returned = 10, {k} % 7
    assert ratio(sold, returned) > 0 if returned else ratio(sold, returned + 1) > 0


def test_add_negative_{k}(stock):
    quantity = -{k} if {k} % 2 else {k} + 1
    stock.add("fig", "1.10", quantity)
    assert stock.items["fig"].quantity == quantity


def test_value_{k}(stock):
    expected = Decimal("8.00") if {k} % 6 else Decimal("8.01")
    assert stock.value() == expected
    assert stock.value("0.1") == Decimal("8.80")


@pytest.mark.parametrize("word", ["alpha", "beta", "gamma"])
def test_words_{k}(word):
    l = len(word)
    assert l > 3 and word == word.lower()
'''


def make_project(root: Path, files: int) -> None:
    """A package with `files` test modules of 20 tests each; about a quarter of the modules' tests fail."""
    (root / "src/inventory").mkdir(parents=True)
    (root / "src/inventory/__init__.py").write_text("", encoding="utf-8")
    (root / "src/inventory/core.py").write_text(CORE.lstrip(), encoding="utf-8")
    (root / "tests").mkdir()
    for k in range(files):
        text = TEST_TEMPLATE.format(k=k, k_plus=k + 1).lstrip()
        if k % 3 == 0:
            text += f'\n\ndef test_report_{k}():\n    assert f"total" == "total"\n    unused = {k}\n'
        (root / "tests" / f"test_stock_{k:02}.py").write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(textwrap.dedent('''
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        addopts = "-p no:cacheprovider"

        [tool.ruff]
        lint.select = ["F", "E"]

        [tool.thrifty.checks]
        tests = "python -m pytest -q"
        lint = "ruff check ."
    ''').lstrip(), encoding="utf-8")


def _pytest_own_failures(root: Path) -> set[str]:
    """Failed and errored test ids from pytest's junit XML, as node ids."""
    report = root / ".bench-junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", "-o", "junit_family=xunit1"],
        cwd=root, env=check_env(root), capture_output=True, check=False, timeout=600,
    )
    failed: set[str] = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        path, name = case.get("file", ""), case.get("name", "")
        parts = case.get("classname", "").split(".")
        module = Path(path).stem
        inner = parts[parts.index(module) + 1:] if module in parts else []
        failed.add("::".join([path, *inner, name]))
    report.unlink()
    return failed


def _ruff_own_findings(root: Path) -> set[str]:
    done = subprocess.run(
        ["ruff", "check", "--output-format", "json", "."], cwd=root, env=check_env(root), capture_output=True,
        text=True, check=False, timeout=600,
    )
    found = set()
    for item in json.loads(done.stdout):
        where = f"{os.path.relpath(item['filename'], root)}:{item['location']['row']}:{item['location']['column']}"
        found.add(f"{where} {item['code']}")
    return found


async def _call_tool(root: Path, checks: list[str]) -> tuple[str, dict]:
    async with Client(build_server(ServerConfig(root=root, structured=True))) as client:
        result = await client.call_tool("run_checks", {"checks": checks})
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text, result.structured_content or {}


def _walls(root: Path, runs: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each set of checks, the sets interleaved so machine load hits them alike."""
    times: dict[str, list[float]] = {key: [] for key in runs}
    for _ in range(repeat):
        for key, checks in runs.items():
            start = time.perf_counter()
            anyio.run(run_checks, root, checks, [], False)
            times[key].append(time.perf_counter() - start)
    return {key: sorted(values)[len(values) // 2] for key, values in times.items()}


def run(quick: bool) -> list[Figure]:
    files, repeat = (30, 3) if quick else (30, 7)
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-checks-") as tmp:
        root = Path(tmp).resolve() / "project"
        make_project(root, files)
        saved = os.environ.get("THRIFTY_DATA_DIR")
        os.environ["THRIFTY_DATA_DIR"] = str(Path(tmp) / "data")  # the bench's raw logs stay out of the user's
        try:
            return _measure(root, repeat)
        finally:
            if saved is None:
                os.environ.pop("THRIFTY_DATA_DIR", None)
            else:
                os.environ["THRIFTY_DATA_DIR"] = saved


def _measure(root: Path, repeat: int) -> list[Figure]:
    text, report = anyio.run(_call_tool, root, [])
    raw_bytes = sum(Path(c["log_path"]).stat().st_size for c in report["checks"])
    tests = next(c for c in report["checks"] if c["name"] == "tests")
    own_failures = _pytest_own_failures(root)
    named = named_in_text(text)
    named_failures = own_failures & named
    own_findings = _ruff_own_findings(root)
    named_findings = own_findings & named
    bash_bytes = sum(min(Path(c["log_path"]).stat().st_size, BASH_INLINE_CHARS) for c in report["checks"])
    anyio.run(run_checks, root, [], [], False)  # warm caches before timing
    walls = _walls(root, {"together": ["tests", "lint"], "tests": ["tests"], "lint": ["lint"]}, repeat)
    together, alone = walls["together"], max(walls["tests"], walls["lint"])
    text_bytes = len(text.encode("utf-8"))
    size_note = (f"{tests['summary']}; lint {len(own_findings)} findings; raw logs {raw_bytes:,} B; "
                 f"text {text_bytes:,} B")
    return [
        Figure.compare(SECTION, "text returned vs raw logs", text_bytes, "bytes", "raw logs (what Bash prints)",
                       raw_bytes, at_most=0.08, note=size_note),
        Figure.compare(SECTION, "text returned vs Bash's inline cap", text_bytes, "bytes",
                       f"raw logs capped at {BASH_INLINE_CHARS:,} chars each", bash_bytes,
                       note="Bash keeps head and tail past its cap, and can drop the failure that mattered"),
        Figure.compare(SECTION, "failing tests named", len(named_failures), "tests", "pytest's junit XML list",
                       len(own_failures), at_least=1.0),
        Figure.compare(SECTION, "lint findings named", len(named_findings), "findings",
                       "ruff's own JSON list", len(own_findings), at_least=1.0),
        Figure.compare(SECTION, "two checks together vs slower alone", together, "s",
                       "slower of tests / lint alone", alone, at_most=1.25, note=f"median of {repeat}"),
    ]
