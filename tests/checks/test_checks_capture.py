"""The bounded capture: small output whole and clean, huge output as head + kept failure lines + tail."""

from __future__ import annotations

import io

from thrifty.checks import capture
from thrifty.checks.capture import OutputCapture, keep_pattern


def test_small_output_is_kept_whole_without_colours_or_progress_rewrites() -> None:
    log = io.BytesIO()
    cap = OutputCapture(log, None)
    raw = "\x1b[31mFAILED\x1b[0m x\r\nprogress 10%\rprogress 100%\ndone é\n".encode()
    for i in range(0, len(raw), 3):  # split mid-escape and mid-UTF-8 character
        cap.feed(raw[i: i + 3])
    cap.close_log()
    assert cap.text() == "FAILED x\nprogress 100%\ndone é\n"
    assert log.getvalue() == raw and cap.total_bytes == len(raw) and not cap.log_truncated


def test_huge_output_keeps_head_tail_and_the_middle_lines_that_name_failures() -> None:
    cap = OutputCapture(io.BytesIO(), keep_pattern(r"FAILED "))
    noise = b"".join(b"noise line %07d ...........................................\n" % i for i in range(20000))
    cap.feed(b"first line\n")
    for _ in range(10):
        cap.feed(noise)
    cap.feed(b"FAILED tests/test_a.py::test_middle - boom\n")
    for _ in range(10):
        cap.feed(noise)
    cap.feed(b"last line\n")
    text = cap.text()
    assert text.startswith("first line\n") and text.endswith("last line\n")
    assert "\nFAILED tests/test_a.py::test_middle - boom\n" in text
    assert "lines naming failures kept below]" in text and cap.dropped_lines > 100_000
    bound = capture.HEAD_CHARS + capture.TAIL_CHARS + capture.KEPT_MIDDLE_CHARS + 128 * 1024
    assert len(text) < bound < cap.total_bytes


def test_the_raw_log_stops_at_its_cap_and_says_how_much_was_not_written(monkeypatch) -> None:
    monkeypatch.setattr(capture, "RAW_LOG_CAP_BYTES", 1000)
    log = io.BytesIO()
    cap = OutputCapture(log, None)
    cap.feed(b"x" * 600)
    cap.feed(b"y" * 600)
    cap.close_log()
    written = log.getvalue()
    assert written.startswith(b"x" * 600 + b"y" * 400) and b"200 more bytes of output were not written" in written
    assert cap.log_truncated and cap.total_bytes == 1200
