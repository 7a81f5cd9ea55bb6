"""`python -m benchmarks` (what `thrifty bench` runs): the benchmark sections, printed as one table (or JSON)."""

from __future__ import annotations

import compileall
import importlib

import click

from benchmarks import SECTIONS, SERVER_DIR, BenchReport, Figure


@click.command()
@click.option("--section", "sections", multiple=True, type=click.Choice(SECTIONS), help="Run only these sections.")
@click.option("--quick", is_flag=True, help="Smaller inputs and fewer repeats (for CI smoke runs).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of a table.")
def bench(sections: tuple[str, ...], quick: bool, as_json: bool) -> None:
    """Measure thrifty against named references (rg, a bare import, ccusage, whole-file reads) in one run."""
    figures: list[Figure] = []
    failed: dict[str, str] = {}
    # The hooks, the status line and the server run from byte-compiled modules once the plugin's first start has
    # built its venv (launch.environment._precompile), even where PYTHONDONTWRITEBYTECODE is set: measure that.
    compileall.compile_dir(str(SERVER_DIR / "thrifty"), quiet=1)
    for name in sections or SECTIONS:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}":
                raise
            continue  # section not built yet
        try:
            figures.extend(module.run(quick=quick))
        except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others' figures
            failed[name] = f"{type(exc).__name__}: {exc}"
    report = BenchReport(figures=figures, failed_sections=failed)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _print_table(report)
    if failed or any(f.ok is False for f in figures):
        raise SystemExit(1)


def _print_table(report: BenchReport) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="thrifty bench", show_lines=False)
    for column in ("section", "figure", "value", "reference", "ratio", "target", ""):
        table.add_column(column, justify="right" if column in ("value", "ratio") else "left")
    for f in report.figures:
        verdict = "" if f.ok is None else ("ok" if f.ok else "MISSED")
        table.add_row(
            f.section, f.name, f"{f.value:,.4g} {f.unit}", f"{f.reference_name} = {f.reference_value:,.4g} {f.unit}",
            f"{f.ratio:.3g}x", f.target, verdict,
        )
    console = Console()
    console.print(table)
    for f in report.figures:
        if f.note:
            console.print(f"[dim]{f.section}/{f.name}: {f.note}[/dim]")
    for name, error in report.failed_sections.items():
        console.print(f"[red]section {name} failed: {error}[/red]")


if __name__ == "__main__":
    bench(prog_name="python -m benchmarks")
