"""Bounded capture of a check's output: the full raw log on disk (capped), and in memory only what parsers need.

Memory holds the first HEAD_CHARS and the last TAIL_CHARS of output plus, from the part in between, the lines the
check's parser says name failures (KEEP patterns, up to KEPT_MIDDLE_CHARS). A check printing gigabytes therefore
costs a few MiB of memory, and its raw log stops growing at RAW_LOG_CAP_BYTES (64 MiB) with a note saying so.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from typing import BinaryIO

HEAD_CHARS = 256 * 1024
TAIL_CHARS = 2 * 1024 * 1024
KEPT_MIDDLE_CHARS = 512 * 1024
KEPT_LINE_CHARS = 2000
MAX_CARRY_CHARS = 16 * 1024  # a partial line longer than this in the dropped middle is dropped whole
RAW_LOG_CAP_BYTES = 64 * 1024 * 1024
OMITTED_MARK = "[thrifty:"  # marker lines parsers can recognise and skip
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")


class OutputCapture:
    def __init__(self, log: BinaryIO, keep: re.Pattern[str] | None) -> None:
        self._log = log
        self._keep = keep
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._head: list[str] = []
        self._head_len = 0
        self._tail: deque[str] = deque()
        self._tail_len = 0
        self._kept: list[str] = []
        self._kept_len = 0
        self._carry = ""
        self.dropped_chars = 0
        self.dropped_lines = 0
        self.total_bytes = 0
        self.log_bytes = 0

    @property
    def log_truncated(self) -> bool:
        return self.total_bytes > self.log_bytes

    def feed(self, data: bytes) -> None:
        self.total_bytes += len(data)
        room = RAW_LOG_CAP_BYTES - self.log_bytes
        if room > 0:
            self._log.write(data[:room])
            self.log_bytes += min(room, len(data))
        self._add(self._decoder.decode(data))

    def close_log(self) -> None:
        if self.log_truncated:
            self._log.write(
                f"\n[thrifty: raw log capped at {RAW_LOG_CAP_BYTES // 2**20} MiB; "
                f"{self.total_bytes - self.log_bytes:,} more bytes of output were not written]\n".encode()
            )
        self._log.flush()

    def _add(self, text: str) -> None:
        if self._head_len < HEAD_CHARS:
            room = HEAD_CHARS - self._head_len
            self._head.append(text[:room])
            self._head_len += min(room, len(text))
            text = text[room:]
        if not text:
            return
        self._tail.append(text)
        self._tail_len += len(text)
        while self._tail_len - len(self._tail[0]) >= TAIL_CHARS:
            old = self._tail.popleft()
            self._tail_len -= len(old)
            self._drop(old)

    def _drop(self, text: str) -> None:
        """Text leaving memory for good: count it, and keep the whole lines the parser needs."""
        text = self._carry + text
        cut = text.rfind("\n") + 1
        complete, self._carry = text[:cut], text[cut:]
        if len(self._carry) > MAX_CARRY_CHARS:
            self.dropped_chars += len(self._carry)
            self._carry = ""
        self.dropped_chars += len(complete)
        self.dropped_lines += complete.count("\n")
        if self._keep is None or self._kept_len >= KEPT_MIDDLE_CHARS:
            return
        for match in self._keep.finditer(complete):
            line = match.group(0)[:KEPT_LINE_CHARS]
            self._kept.append(line)
            self._kept_len += len(line) + 1
            if self._kept_len >= KEPT_MIDDLE_CHARS:
                break

    def text(self) -> str:
        """The kept output for parsers: head, a marked gap with the kept lines, tail; no ANSI codes or \\r rewrites."""
        head = "".join(self._head)
        tail = "".join(self._tail)
        if not self.dropped_chars and not self._carry:
            return clean(head + tail)
        head = head[: head.rfind("\n") + 1]
        tail = tail[tail.find("\n") + 1:]
        gap = [
            f"{OMITTED_MARK} {self.dropped_lines:,} lines ({self.dropped_chars:,} chars) of output omitted here; "
            f"the raw log has them; {len(self._kept)} lines naming failures kept below]",
            *self._kept,
            f"{OMITTED_MARK} end of omitted part]",
        ]
        return clean(head + "\n".join(gap) + "\n" + tail)


def clean(text: str) -> str:
    """Drop ANSI escapes, and keep what a terminal would show of lines rewritten with \\r (progress bars)."""
    text = ANSI.sub("", text.replace("\r\n", "\n"))
    if "\r" not in text:
        return text
    return "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line else line for line in text.split("\n"))


def keep_pattern(line_starts: str | None) -> re.Pattern[str] | None:
    """Whole lines starting with `line_starts` (a regex), for `OutputCapture(keep=...)`."""
    return re.compile(rf"^(?:{line_starts}).*$", re.MULTILINE) if line_starts else None
