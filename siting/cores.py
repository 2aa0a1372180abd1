"""How many CPU cores this process may use (shared by the solver and the sweep cluster)."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """Cores this process may use (``os.sched_getaffinity``: a container's or ``taskset``'s
    limit, not the host's count), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["usable_cores"]
