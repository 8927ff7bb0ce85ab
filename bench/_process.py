"""What the sync benchmarks measure of their own process: peak and current RSS, CPU time.

Each side of a benchmark runs in its own child process, so these figures are that
side's alone.
"""

from __future__ import annotations

import os
import resource


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
