"""Rotation progress for people: a live bar on a terminal, plain lines otherwise, then a summary."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from .._stats import ClientStats
from ..rotation import Outcome, RotationProgress, RotationReport
from ._table import format_table

__all__ = ["ProgressPrinter", "plan_table", "summary"]

_ETA_AFTER_KEYS = 3  # an ETA from fewer finished keys is noise
_ETA_AFTER_SECONDS = 1.0


class ProgressPrinter:
    """Call it with each :class:`RotationProgress`; it redraws at most 10 times a second on a
    terminal (one line, fitted to its width) or prints a line every 2 seconds to a log."""

    def __init__(self, stats: ClientStats, stream: TextIO = sys.stderr) -> None:
        self.stats = stats
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0
        self._latest: RotationProgress | None = None
        self._work_started: float | None = None  # when every account was listed and keys began
        self._done_at_start = 0  # keys finished by then (already done by an earlier run)
        self._drawn = False

    def __call__(self, progress: RotationProgress) -> None:
        self._latest = progress
        now = time.monotonic()
        if self._work_started is None and progress.accounts_listed == progress.accounts_total:
            self._work_started, self._done_at_start = now, progress.keys_finished
        if now - self._last >= (0.1 if self.tty else 2.0):
            self._last = now
            self._draw(progress, final=False)

    def finish(self) -> None:
        """Draw the last state and end the line."""
        if self._latest is not None:
            self._draw(self._latest, final=True)

    def interrupted(self) -> None:
        """Leave the bar's line so that what follows starts on a new one."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()

    def _eta(self, p: RotationProgress, now: float) -> str:
        if self._work_started is None:
            return ""
        worked = p.keys_finished - self._done_at_start  # keys this run did, not ones found already done
        elapsed = now - self._work_started
        remaining = p.keys_planned - p.keys_finished
        if worked < _ETA_AFTER_KEYS or elapsed < _ETA_AFTER_SECONDS or remaining <= 0:
            return ""
        return f" · ETA {elapsed / worked * remaining:.0f}s"

    def _draw(self, p: RotationProgress, final: bool) -> None:
        now = time.monotonic()
        done, planned = p.keys_finished, p.keys_planned
        text = (
            f" keys {done}/{planned} ({p.keys_failed} failed) · accounts {p.accounts_listed}/{p.accounts_total}"
            f" · 429s {self.stats.rate_limited} · {now - self.started:.1f}s{'' if final else self._eta(p, now)}"
        )
        if self.tty:
            columns = shutil.get_terminal_size((80, 24)).columns
            width = max(0, min(30, columns - 1 - len(text) - 2))
            filled = int((done / planned if planned else 0.0) * width)
            line = (f"[{'#' * filled}{'.' * (width - filled)}]" if width >= 5 else "") + text
            self.stream.write("\r\033[K" + line[: columns - 1] + ("\n" if final else ""))
        else:
            self.stream.write(text.strip() + "\n")
        self._drawn = not final
        self.stream.flush()


def summary(report: RotationReport, stats: ClientStats, elapsed: float) -> str:
    """A plain-text table of outcomes, then every failure with its reason."""
    rows = [
        ("rotated", report.count(Outcome.ROTATED)),
        ("already done (resumed)", report.count(Outcome.ALREADY_DONE)),
        ("would rotate (dry run)", report.count(Outcome.DRY_RUN)),
        ("retired", report.count(Outcome.RETIRED)),
        ("waiting for grace period", report.count(Outcome.WAITING)),
        ("kept (in use)", report.count(Outcome.KEPT)),
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
    waiting = [k.revoke_after for k in report.keys if k.revoke_after is not None and k.outcome != Outcome.RETIRED]
    if waiting:
        lines.append(f"{'old keys kept until':<24}{max(waiting).isoformat(timespec='seconds')}")
    problems = [k for k in report.keys if k.outcome in (Outcome.FAILED, Outcome.KEPT)]
    if problems or report.account_errors:
        lines += ["", "Needs attention"]
        lines += [
            f"  {k.service_account_id} key {k.old_key_id} ({k.old_name}): {k.error or k.reason}" for k in problems
        ]
        lines += [f"  {sa}: could not list keys: {error}" for sa, error in report.account_errors.items()]
    return "\n".join(lines)


def plan_table(report: RotationReport) -> str:
    """A dry run's plan: every key that would be rotated, and why it was picked."""
    planned = [k for k in report.keys if k.outcome == Outcome.DRY_RUN]
    rows = [(k.service_account_id, k.old_key_id or "", k.old_name or "", k.reason or "") for k in planned]
    return format_table(("SERVICE ACCOUNT", "KEY ID", "NAME", "WHY"), rows) + f"\n{len(planned)} keys would be rotated"
