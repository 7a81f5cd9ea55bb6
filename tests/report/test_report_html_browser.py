"""The HTML report in a real headless Chromium (driven over the DevTools protocol): it loads with no console error
and no request beyond its own file, the figures in its DOM equal the JSON views, and it fits 1280 px and a phone.
Screenshots are kept as test artifacts (THRIFTY_TEST_ARTIFACTS, default test-artifacts/ in the repository)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_helpers import History, mismatches, view_json, write_page

from fixtures_gen.chromium import Browser, Page, headless_browser
from fixtures_gen.report_page import FIGURES_JS, TREE_JS
from thrifty.money import usd

ARTIFACTS = Path(os.environ.get("THRIFTY_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_browser() as started:
        yield started


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def load(browser: Browser, path: Path, width: int, height: int, mobile: bool = False) -> Page:
    page = browser.open(path.as_uri(), width, height, mobile)
    assert page.errors() == []
    assert page.requests() == [path.as_uri()]
    return page


def test_page_loads_offline_without_errors_and_its_dom_figures_equal_the_json(history: History, tmp_path: Path,
                                                                              browser: Browser) -> None:
    path = tmp_path / "report.html"
    write_page(path)
    page = load(browser, path, 1280, 900)
    figures = page.evaluate(FIGURES_JS)
    checked, wrong = mismatches([tuple(f) for f in figures])
    assert wrong == [] and checked > 150
    for key, value, text in figures:
        if key.endswith("cost_usd") and value != "null":
            assert text == usd(float(value)), key
    totals = view_json("sessions")["totals"]
    shown = {key: text for key, _, text in figures}
    assert shown["sessions.totals.total_tokens"] == f"{totals['total_tokens']:,}"
    assert shown["sessions.totals.cost_usd"] == usd(totals["cost_usd"])
    trees = page.evaluate(TREE_JS)
    assert {s for s, _ in trees} == {s.session_id for s in history.sessions}
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(artifact("report-html-1280.png"))
    assert artifact("report-html-1280.png").stat().st_size > 10_000


def test_page_fits_a_phone_screen_without_sideways_scrolling(history: History, tmp_path: Path,
                                                             browser: Browser) -> None:
    path = tmp_path / "report.html"
    write_page(path)
    page = load(browser, path, 390, 844, mobile=True)
    assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]") == [390, 390]
    smallest = page.evaluate("Math.min(...[...document.querySelectorAll('td, p, h2')]"
                             ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
    assert smallest >= 12
    chart_text = page.evaluate("Math.min(...[...document.querySelectorAll('svg.chart text')]"
                               ".map(e => e.getBoundingClientRect().height))")
    assert chart_text >= 10  # the chart's labels scale down with it: still legible at 390 px
    page.screenshot(artifact("report-html-phone.png"))


def test_the_observer_sees_an_outside_request_and_a_console_error(tmp_path: Path, browser: Browser) -> None:
    """Control: the checks above would fail on a page that reaches out or logs an error."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html><body><img src="http://127.0.0.1:9/pixel.png">'
                   "<script>console.error('boom')</script></body></html>", encoding="utf-8")
    page = browser.open(bad.as_uri(), 800, 600)
    assert "http://127.0.0.1:9/pixel.png" in page.requests()
    assert any("boom" in error for error in page.errors())
