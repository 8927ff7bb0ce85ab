"""What the sync benchmarks measure of their own process: peak and current RSS, CPU time.

Each side of a benchmark runs in its own child process (:func:`run_side`), so these
figures are that side's alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any


def peak_rss_mib() -> float:
    """This process's high-water RSS (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """RSS now, for samples taken while a sync pages (is memory flat?)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_side(script: str | Path, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``script ARGS`` in a child process; its last stdout line is its JSON figures."""
    output = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]
