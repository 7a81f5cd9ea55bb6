"""`thrifty demo`: the tools and the report on an embedded example, in a temporary directory, with no setup."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
import click

EXAMPLE_PROJECT = {
    "pyproject.toml": """\
[project]
name = "shop"
version = "0.1.0"

[tool.thrifty.checks]
tests = "{python} -m unittest discover -s tests -q"
""",
    "shop/__init__.py": "",
    "shop/cart.py": '''\
"""A shopping cart with a discount rule."""

from dataclasses import dataclass, field


@dataclass
class Item:
    name: str
    price_cents: int
    quantity: int = 1


@dataclass
class Cart:
    items: list[Item] = field(default_factory=list)

    def add(self, item: Item) -> None:
        self.items.append(item)

    def subtotal_cents(self) -> int:
        return sum(item.price_cents * item.quantity for item in self.items)

    def total_cents(self) -> int:
        subtotal = self.subtotal_cents()
        # 10% off orders of 100.00 or more
        if subtotal > 10_000:
            return subtotal - subtotal // 10
        return subtotal
''',
    "shop/inventory.py": '''\
"""Stock levels."""

STOCK: dict[str, int] = {}


def reserve(name: str, quantity: int) -> bool:
    if STOCK.get(name, 0) < quantity:
        return False
    STOCK[name] -= quantity
    return True
''',
    "web/cart.js": """\
export class CartView {
  constructor(cart) {
    this.cart = cart;
  }

  render() {
    return this.cart.items.map((item) => `${item.name} x${item.quantity}`).join("\\n");
  }
}
""",
    "tests/test_cart.py": '''\
import unittest

from shop.cart import Cart, Item


class CartTest(unittest.TestCase):
    def test_small_order_has_no_discount(self):
        cart = Cart()
        cart.add(Item("pen", 250, 2))
        self.assertEqual(cart.total_cents(), 500)

    def test_discount_starts_at_exactly_one_hundred(self):
        cart = Cart()
        cart.add(Item("lamp", 10_000))
        self.assertEqual(cart.total_cents(), 9_000)


if __name__ == "__main__":
    unittest.main()
''',
}

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("read_many", {"files": ["shop/cart.py#Cart.total_cents", "shop/inventory.py:6-10", "web/cart.js#CartView",
                             "../outside.txt"]}),
    ("grep_and_read", {"patterns": [r"STOCK\[", r"price_cents \*"], "scope": "symbol"}),
    ("run_checks", {}),
]


def write_example(root: Path) -> None:
    for rel, text in EXAMPLE_PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{python}", sys.executable), encoding="utf-8")


async def _call_tools(root: Path) -> None:
    from mcp import Client

    from thrifty.app import ServerConfig, build_server

    async with Client(build_server(ServerConfig(root=root, structured=False))) as client:
        for name, arguments in CALLS:
            click.secho(f"\n$ {name}({arguments})", bold=True)
            result = await client.call_tool(name, arguments)
            for block in result.content:
                click.echo(getattr(block, "text", ""))


def _report(work: Path) -> None:
    from thrifty.commands.demo_sessions import write_sessions
    from thrifty.commands.report import report

    write_sessions(work / "claude" / "projects")

    for view in ("sessions", "agents", "tools"):
        click.secho(f"\n$ thrifty report {view}   (two generated sessions)", bold=True)
        report.main([view], standalone_mode=False)


@click.command()
@click.option("--keep", is_flag=True, help="Keep the example directory and print where it is.")
def demo(keep: bool) -> None:
    """Run read_many, grep_and_read, run_checks and the cost report on an embedded example project."""
    work = Path(tempfile.mkdtemp(prefix="thrifty-demo-")).resolve()
    # Everything the demo writes (check logs, the ledger, generated transcripts) stays in its own directory.
    os.environ["CLAUDE_CONFIG_DIR"] = str(work / "claude")
    os.environ["THRIFTY_DATA_DIR"] = str(work / "thrifty-data")
    root = work / "shop"
    root.mkdir()
    write_example(root)
    (work / "outside.txt").write_text("outside the project: never read\n", encoding="utf-8")
    click.secho(f"Example project: {root}", dim=True)
    anyio.run(_call_tools, root)
    _report(work)
    if keep:
        click.echo(f"\nKept {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
