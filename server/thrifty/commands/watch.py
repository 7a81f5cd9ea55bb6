"""`thrifty watch`: every session active recently, live: cost, burn rate, tokens, cache hits, agents, budgets, cache
misses. Redrawn when a transcript grows (watchfiles, no polling) and every few seconds for the clocks; `--jsonl`
prints one JSON object per changed session per update instead. q or Ctrl-C quits and restores the terminal."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

REDRAW_TICKS = 5  # live view: redraw burn rates and the clock every 5 idle ticks (5 s) while nothing is written


def now() -> datetime:
    return datetime.now(UTC)


@click.command()
@click.option("--jsonl", is_flag=True, help="One JSON object per changed session per update, for scripts.")
@click.option("-w", "--window", "window_minutes", type=click.IntRange(1, 10_080), default=120, show_default=True,
              help="Show sessions with a turn in the last N minutes.")
@click.option("--burn-minutes", type=click.IntRange(1, 1_440), default=10, show_default=True,
              help="Burn rate ($/h) over the last N minutes.")
def watch(jsonl: bool, window_minutes: int, burn_minutes: int) -> None:
    """Watch every Claude Code session on this machine as its transcript grows.

    Reads the transcripts under CLAUDE_CONFIG_DIR/projects (default ~/.claude/projects) into the ledger as they
    change. Budgets are shown as the sessions' hooks enforce them.
    """
    from thrifty.commands.ledger_access import open_ledger
    from thrifty.paths import transcripts_dir
    from thrifty.watch.loop import Watcher

    root = transcripts_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot watch {root}: {exc.strerror or exc}. Check CLAUDE_CONFIG_DIR.") from None
    with open_ledger(ingest=False) as conn:  # the watcher ingests once its file watch is in place
        watcher = Watcher(conn, root, window_minutes, burn_minutes)
        try:
            if jsonl:
                _run_jsonl(watcher, root)
            else:
                _run_live(watcher, root)
        except KeyboardInterrupt:
            pass  # Ctrl-C outside watchfiles' own wait: the same clean exit


def _run_jsonl(watcher: object, root: Path) -> None:
    from thrifty.watch.loop import Watcher, changes

    assert isinstance(watcher, Watcher)
    stop = threading.Event()
    try:
        batches = changes(root, stop)
        if next(batches, None) is None:  # the watch is in place: nothing written from here on is missed
            return
        for view in watcher.start(now()):
            _emit(view.model_dump_json())
        for paths in batches:
            for view in watcher.apply(paths, now()) if paths else []:
                _emit(view.model_dump_json())
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the reader left; exit without a traceback


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _run_live(watcher: object, root: Path) -> None:
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    from thrifty.watch.loop import Watcher, changes
    from thrifty.watch.render import render

    assert isinstance(watcher, Watcher)
    console = Console()
    if not console.is_terminal:
        raise click.ClickException("the live view needs a terminal; use --jsonl to read updates from a script.")
    stop = threading.Event()
    restore = _quit_on_q(stop)
    try:
        with Live(Text("thrifty watch · reading transcripts…"), console=console, screen=True, auto_refresh=False,
                  redirect_stdout=False, redirect_stderr=False) as live:
            batches = changes(root, stop)
            if next(batches, None) is None:  # the watch is in place: nothing written from here on is missed
                return
            watcher.start(now())
            live.update(render(watcher.fleet(now()), console.width), refresh=True)
            idle_ticks = 0
            for paths in batches:
                changed = bool(watcher.apply(paths, now())) if paths else False
                idle_ticks = 0 if changed else idle_ticks + 1
                if changed or idle_ticks % REDRAW_TICKS == 0:
                    live.update(render(watcher.fleet(now(), rebuild=not changed), console.width), refresh=True)
    finally:
        restore()


def _quit_on_q(stop: threading.Event) -> Callable[[], None]:
    """Read keys without echo on a thread; q sets `stop`. Returns the function that restores the terminal mode."""
    try:
        import termios
        import tty
    except ImportError:  # not a POSIX terminal: Ctrl-C still quits
        return lambda: None
    if not sys.stdin.isatty():
        return lambda: None
    fd = sys.stdin.fileno()
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        return lambda: None
    tty.setcbreak(fd)

    def read_keys() -> None:
        while not stop.is_set():
            try:
                key = os.read(fd, 1)
            except OSError:
                return
            if not key or key in (b"q", b"Q"):
                stop.set()
                return

    threading.Thread(target=read_keys, name="thrifty-watch-keys", daemon=True).start()
    return lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved)
