"""Rotation progress for people: a live bar on a terminal, plain lines otherwise, then a summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .._events import ClientStats
from ..rotation import Outcome, RotationProgress, RotationReport

__all__ = ["ProgressPrinter", "summary"]

_WIDTH = 30


class ProgressPrinter:
    """Call it with each :class:`RotationProgress`; it redraws at most 10 times a second
    (a terminal) or prints a line every 2 seconds (a log)."""

    def __init__(self, stats: ClientStats, stream: TextIO = sys.stderr) -> None:
        self.stats = stats
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0
        self._latest: RotationProgress | None = None

    def __call__(self, progress: RotationProgress) -> None:
        self._latest = progress
        now = time.monotonic()
        if now - self._last >= (0.1 if self.tty else 2.0):
            self._last = now
            self._draw(progress, final=False)

    def finish(self) -> None:
        if self._latest is not None:
            self._draw(self._latest, final=True)

    def _draw(self, p: RotationProgress, final: bool) -> None:
        elapsed = time.monotonic() - self.started
        done, planned = p.keys_finished, p.keys_planned
        eta = ""
        if 0 < done < planned and p.accounts_listed == p.accounts_total:
            eta = f" ETA {elapsed / done * (planned - done):.0f}s"
        fraction = done / planned if planned else 0.0
        bar = "#" * int(fraction * _WIDTH) + "." * (_WIDTH - int(fraction * _WIDTH))
        text = (
            f"[{bar}] keys {done}/{planned} ({p.keys_failed} failed) · accounts {p.accounts_listed}/{p.accounts_total}"
            f" · 429 waits {self.stats.rate_limited} · {elapsed:.1f}s{eta}"
        )
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def summary(report: RotationReport, stats: ClientStats, elapsed: float) -> str:
    """A plain-text table of outcomes, then every failure with its reason."""
    rows = [
        ("rotated", report.count(Outcome.ROTATED)),
        ("already done (resumed)", report.count(Outcome.ALREADY_DONE)),
        ("would rotate (dry run)", report.count(Outcome.DRY_RUN)),
        ("failed", report.count(Outcome.FAILED)),
        ("accounts not listed", len(report.account_errors)),
    ]
    accounts = len({k.service_account_id for k in report.keys} | set(report.account_errors))
    lines = ["", "Summary", "-------", f"{'accounts':<24}{accounts:>8}", f"{'keys':<24}{len(report.keys):>8}"]
    lines += [f"{label:<24}{count:>8}" for label, count in rows if count or label in ("rotated", "failed")]
    lines += [
        f"{'requests sent':<24}{stats.attempts:>8}",
        f"{'429 answers':<24}{stats.rate_limited:>8}",
        f"{'elapsed':<24}{elapsed:>7.1f}s",
    ]
    failures = [k for k in report.keys if k.outcome == Outcome.FAILED]
    if failures or report.account_errors:
        lines += ["", "Failures"]
        lines += [f"  {k.service_account_id} key {k.old_key_id} ({k.old_name}): {k.error}" for k in failures]
        lines += [f"  {sa}: could not list keys: {error}" for sa, error in report.account_errors.items()]
    return "\n".join(lines)
