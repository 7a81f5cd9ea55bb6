"""go test: `--- FAIL: TestName (0.00s)` with the indented lines under it, package `ok`/`FAIL` lines, build errors
(`path.go:line:col: message` under `# package`) and panics (runtime frames dropped)."""

from __future__ import annotations

import re

from thrifty.checks.model import Finding
from thrifty.checks.parsers.base import ParseContext, Parsed, one_line

KEEP = r"[ \t]*--- FAIL: |FAIL[ \t]|ok[ \t]+\S+[ \t]|panic: |\S+\.go:\d+:\d+: |# \S+$"
FAIL = re.compile(r"^(?P<indent>\s*)--- FAIL: (?P<name>\S+) \((?P<secs>[\d.]+)s\)$")
PASS = re.compile(r"^\s*--- PASS: ")
PACKAGE = re.compile(r"^(?P<verdict>ok|FAIL|---)\s+(?P<pkg>\S+)\s+(?P<rest>.*)$")
BUILD = re.compile(r"^(?P<where>\S+\.go:\d+(?::\d+)?): (?P<msg>.*)$")
GOROOT_FRAME = re.compile(  # frames in Go's own runtime and testing packages
    r"^\s+(?:/usr/local/go|/usr/lib/go[^/]*|\S*/go/pkg/mod|\S*/golang.org/toolchain)\S*/src/\S+\.go:\d+"
)


def sniff(text: str) -> bool:
    return bool(re.search(r"^(?:ok|FAIL)[ \t]+\S+[ \t]+(?:[\d.]+s|\(cached\)|\[build failed\])", text, re.M)
                or re.search(r"^[ \t]*--- FAIL: \S+ \([\d.]+s\)$", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    packages = [m for m in map(PACKAGE.match, lines) if m and m["verdict"] in ("ok", "FAIL")]
    ok = sum(1 for m in packages if m["verdict"] == "ok")
    failed_pkgs = [m["pkg"] for m in packages if m["verdict"] == "FAIL"]
    for i, line in enumerate(lines):
        match = FAIL.match(line)
        if match:
            body = _indented_after(lines, i, len(match["indent"]))
            message = next((ln.strip() for ln in body if ln.strip()), "")
            parsed.findings.append(Finding(name=match["name"], code="FAIL", message=one_line(message),
                                           detail="\n".join(body)))
        elif line.startswith("panic: "):
            body = [ln for ln in lines[i: i + 40] if not GOROOT_FRAME.match(ln)]
            parsed.findings.append(Finding(name="panic", code="panic", message=one_line(line[7:]),
                                           detail="\n".join(body[:20])))
        else:
            build = BUILD.match(line)
            if build and not line.startswith(" "):
                parsed.findings.append(Finding(name=build["where"], code="build", message=one_line(build["msg"])))
    tests_failed = sum(1 for f in parsed.findings if f.code == "FAIL")
    passed = sum(1 for ln in lines if PASS.match(ln))
    parsed.counts = {"failed": tests_failed, **({"passed": passed} if passed else {}),
                     "packages ok": ok, "packages failed": len(failed_pkgs)}
    if packages:
        parsed.summary = f"{ok} package{'s' if ok != 1 else ''} ok, {len(failed_pkgs)} failed" + (
            f" ({', '.join(failed_pkgs[:5])})" if failed_pkgs else "")
    parsed.total = len(parsed.findings)
    return parsed


def _indented_after(lines: list[str], start: int, indent: int) -> list[str]:
    body: list[str] = []
    for line in lines[start + 1:]:
        stripped = len(line) - len(line.lstrip())
        if not line.strip() or stripped <= indent or FAIL.match(line) or PASS.match(line):
            break
        body.append(line.rstrip())
    return body
