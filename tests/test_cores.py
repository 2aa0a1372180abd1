"""The cores a process may use (siting.cores)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from siting.cores import usable_cores


def test_usable_cores_is_the_affinity_not_the_host_count():
    assert usable_cores() == len(os.sched_getaffinity(0))


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux only")
def test_a_process_pinned_to_one_core_gets_one():
    one = min(os.sched_getaffinity(0))
    code = (f"import os; os.sched_setaffinity(0, {{{one}}}); "
            "from siting.cores import usable_cores; print(usable_cores())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
