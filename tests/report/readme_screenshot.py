"""Make the README's picture of the HTML report: `python tests/report/readme_screenshot.py` writes
assets/report-html.png from a generated history (three weeks, a few branches), rendered by headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
sys.path[:0] = [str(TESTS), str(REPO / "server")]

from fixtures_gen.chromium import Browser, find_chromium  # noqa: E402
from fixtures_gen.transcripts import realistic_session  # noqa: E402

BRANCHES = ("main", "feature/checkout", "fix/cache-ttl", "feature/search")


def main() -> None:
    executable = find_chromium()
    if executable is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="thrifty-shot-") as tmp:
        base = Path(tmp)
        root = base / "claude" / "projects"
        start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
        for index in range(42):
            session = realistic_session(root, seed=500 + index, turns=14 + index % 9, subagents=index % 4,
                                        start=start + timedelta(hours=11 * index))
            branch = BRANCHES[index % len(BRANCHES)]
            for transcript in session.transcripts:  # generated on main; this history spreads over a few branches
                text = transcript.path.read_text(encoding="utf-8")
                transcript.path.write_text(text.replace('"gitBranch":"main"', f'"gitBranch":"{branch}"'),
                                           encoding="utf-8")
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(base / "claude"), "THRIFTY_DATA_DIR": str(base / "data"),
               "CLAUDE_PLUGIN_OPTION_DAILY_USD": "12", "CLAUDE_PLUGIN_OPTION_SESSION_USD": "3"}
        env.pop("CLAUDE_PLUGIN_DATA", None)
        page = base / "report.html"
        subprocess.run([sys.executable, "-m", "thrifty", "report", "html", "-o", str(page)], env=env, check=True)
        browser = Browser(executable)
        try:
            tab = browser.open(page.as_uri(), 1280, 1500)
            if tab.errors():
                sys.exit(f"the page logged errors: {tab.errors()}")
            target = REPO / "assets" / "report-html.png"
            tab.screenshot(target)
            print(f"wrote {target}")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
