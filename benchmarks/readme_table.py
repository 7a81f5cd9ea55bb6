"""The README's measured table from one `thrifty bench --json` run: `python -m benchmarks.readme_table BENCH.json`.

Every row is a figure of that run as the bench printed it, so the README quotes one run and nothing is typed by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import BenchReport, Figure


def _amount(value: float, unit: str) -> str:
    if unit == "USD":
        return f"${value:,.4f}"
    if unit in ("bytes", "tokens", "items", "sessions", "tests", "findings", "requests"):
        return f"{value:,.0f} {unit}"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:g} {unit}".strip()


def _verdict(figure: Figure) -> str:
    if figure.ok is None:
        return ""
    return "met" if figure.ok else "**missed**"


def table(report: BenchReport) -> str:
    rows = ["| section | claim | measured | reference (same run) | ratio | target | |", "|---|---|---|---|---|---|---|"]
    for f in report.figures:
        reference = f"{f.reference_name}: {_amount(f.reference_value, f.unit)}"
        ratio = f"{f.ratio:.3f}" if f.ratio >= 0.1 else f"{f.ratio:.3g}"  # 1.103 must not read as 1.1 (met)
        rows.append(f"| {f.section} | {f.name} | {_amount(f.value, f.unit)} | {reference} | {ratio}x "
                    f"| {f.target} | {_verdict(f)} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m benchmarks.readme_table BENCH.json (the output of `thrifty bench --json`)\n")
        return 2
    report = BenchReport.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    sys.stdout.write(table(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
