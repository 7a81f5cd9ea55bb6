"""`thrifty footprint` against what the real client sends: every item it counts is in the main thread's requests
once the server has connected, and the sums agree within 10% (the bench's realclient section measures the rest)."""

from __future__ import annotations

from pathlib import Path

from harness import E2E

from benchmarks.realclient import FOOTPRINT_TOLERANCE, footprint_estimate, opening, plugin_items


def test_footprint_counts_what_the_main_thread_request_holds(e2e: E2E, plugin_source: Path) -> None:
    api = opening(e2e)
    connected = api.conversation_requests()[1]
    items = plugin_items(connected)
    estimate, per_item = footprint_estimate(e2e, plugin_source)
    tools = {name for name in per_item if name.startswith("mcp__")}
    assert tools and tools <= set(items)  # tool names listed (deferred), once the server is up
    assert {name for name in per_item if name.startswith("thrifty:") and name != "thrifty:cost"} <= set(items)
    assert "thrifty (instructions)" in items
    assert abs(sum(items.values()) / estimate - 1) <= FOOTPRINT_TOLERANCE, (items, per_item)
