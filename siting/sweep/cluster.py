"""Where a sweep runs: a Dask LocalCluster, a running scheduler, or SLURM via dask-jobqueue.

* **This machine** (default): ``LocalCluster(n_workers=<cores>, threads_per_worker=1,
  dashboard_address=None)``; every solve uses one HiGHS thread.
* **A running cluster**: ``scheduler="tcp://host:8786"`` (``--scheduler``); the workers need
  ``siting`` installed and the data path readable on them.
* **SLURM** (EuroHPC machines): :func:`slurm_cluster` builds a ``dask_jobqueue.SLURMCluster``
  whose jobs each start ``processes`` single-threaded workers; ``scale(jobs=N)`` submits them.
  Recipe (also ``siting sweep FILE --cluster slurm`` with a ``[slurm]`` table)::

      from siting.sweep import run_study
      from siting.sweep.cluster import slurm_cluster
      from distributed import Client

      with slurm_cluster(cores=64, memory="200GB", walltime="02:00:00", account="euXXXX",
                         queue="cpu", jobs=4,
                         job_script_prologue=["module load python", "source .venv/bin/activate"]
                         ) as cluster, Client(cluster) as client:
          run_study("models/sweeps/robustness.toml", out="sweep/", client=client)

  Run it from a login node (or inside an allocation); ``cluster.job_script()`` shows the batch
  script that is submitted. Site-wide defaults may instead sit in ``~/.config/dask/jobqueue.yaml``
  (dask-jobqueue's own configuration); keyword arguments win over it.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import signal
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import dask
from distributed import Client, LocalCluster

from siting.cores import usable_cores

log = logging.getLogger(__name__)

#: Dask settings of sweep workers, measured for issue 16 (16 runs of ``quick``, 2 workers, warm
#: cluster): the nanny's default ``MALLOC_TRIM_THRESHOLD_=65536`` (glibc then trims the heap on
#: nearly every free and stops adapting its mmap threshold) made each HiGHS solve about 20 %
#: slower than in a plain process (HiGHS time summed over the runs 28.3–29.1 s, serial 23.5 s,
#: without the variable 23.9–24.4 s: sweep 24.0 → 21.5 s); the worker's statistical profiler
#: samples every thread's stack every 10 ms and takes the GIL from the Pyomo build.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,  # None: not set
    "distributed.worker.profile.enabled": False,
}
#: The same for workers started elsewhere (SLURM jobs): Dask reads ``DASK_*`` variables.
WORKER_ENV_EXPORTS = (
    "export DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON=\"{'MALLOC_TRIM_THRESHOLD_': None}\"",
    "export DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False",
)


def default_workers() -> int:
    """Cores this process may use (:func:`siting.cores.usable_cores`), at least 1."""
    return usable_cores()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    # Worker processes are spawned with SIGINT ignored (Python keeps an inherited SIG_IGN), so
    # a Ctrl-C in the terminal reaches only the driver, which then shuts the cluster down.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def local_cluster(n_workers: int | None = None, **kwargs: Any):
    """A ``distributed.LocalCluster`` for sweeps: one single-threaded process per core.

    Parameters
    ----------
    n_workers : int, optional
        Worker processes (default: :func:`default_workers`).
    **kwargs
        Passed on to ``LocalCluster`` (they win over the defaults).
    """
    opts: dict[str, Any] = {"n_workers": n_workers or default_workers(), "threads_per_worker": 1,
                            "processes": True, "dashboard_address": None,
                            "silence_logs": logging.CRITICAL,
                            # the scheduler's HTTP server (metrics, health) starts even without
                            # a dashboard: a free port on loopback, not 8787
                            "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}
    opts.update(kwargs)
    with _sigint_ignored(), warnings.catch_warnings(), dask.config.set(WORKER_CONFIG):
        # the nannies read the environment when they start and keep this config for every
        # worker they (re)start
        opts.setdefault("config", copy.deepcopy(dask.config.config))
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        return LocalCluster(**opts)


def slurm_cluster(*, jobs: int = 0, cores: int = 1, processes: int | None = None,
                  memory: str = "4GB", walltime: str = "01:00:00", queue: str | None = None,
                  account: str | None = None, interface: str | None = None,
                  job_script_prologue: list[str] | None = None,
                  job_extra_directives: list[str] | None = None,
                  local_directory: str | None = None, python: str | None = None,
                  **kwargs: Any):
    """A dask-jobqueue ``SLURMCluster`` set up for sweeps (one HiGHS thread per worker).

    Parameters
    ----------
    jobs : int
        SLURM jobs to submit at once (``cluster.scale(jobs=jobs)``); 0 submits none (scale
        later, or call ``cluster.adapt``).
    cores, processes : int
        Cores per job and worker processes per job (default: one per core, so each worker has
        one thread).
    memory, walltime : str
        Per job, e.g. ``"200GB"`` and ``"02:00:00"``.
    queue, account : str, optional
        SLURM partition (``-p``) and project (``-A``).
    interface : str, optional
        Network interface of the workers (e.g. ``"ib0"`` on InfiniBand nodes).
    job_script_prologue : list of str, optional
        Shell lines run before the worker starts (modules, venv). ``OMP_NUM_THREADS=1``,
        ``OPENBLAS_NUM_THREADS=1`` and :data:`WORKER_ENV_EXPORTS` are always exported.
    job_extra_directives : list of str, optional
        Further ``#SBATCH`` options, e.g. ``["--exclusive"]``.
    local_directory, python : str, optional
        Worker scratch folder and the Python to start workers with.
    **kwargs
        Any other ``SLURMCluster`` argument.

    Returns
    -------
    dask_jobqueue.SLURMCluster
        Not yet started jobs unless ``jobs > 0``; ``cluster.job_script()`` renders the script.
    """
    # dask-jobqueue (0.2 s) only for --cluster slurm
    from dask_jobqueue import SLURMCluster

    prologue = ["export OMP_NUM_THREADS=1", "export OPENBLAS_NUM_THREADS=1",
                *WORKER_ENV_EXPORTS, *(job_script_prologue or [])]
    opts: dict[str, Any] = {
        "cores": cores, "processes": processes or cores, "memory": memory,
        "walltime": walltime, "job_script_prologue": prologue,
        "job_extra_directives": list(job_extra_directives or []),
        "scheduler_options": {"dashboard": False, "dashboard_address": ":0"},
        "job_name": "siting-sweep",
    }
    for key, value in (("queue", queue), ("account", account), ("interface", interface),
                       ("local_directory", local_directory), ("python", python)):
        if value is not None:
            opts[key] = value
    opts.update(kwargs)
    cluster = SLURMCluster(**opts)
    if jobs:
        cluster.scale(jobs=jobs)
    return cluster


@contextlib.contextmanager
def open_client(client=None, scheduler: str | None = None, cluster=None,
                n_workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: the one given, one to ``scheduler`` or ``cluster``, or a new
    :func:`local_cluster`. What this function starts it also closes (quietly, on Ctrl-C too)."""
    if client is not None:
        yield client
        return
    own_cluster = None
    if scheduler is not None:
        cl = Client(scheduler)
    elif cluster is not None:
        cl = Client(cluster)
    else:
        own_cluster = local_cluster(n_workers)
        cl = Client(own_cluster)
    try:
        yield cl
    finally:
        close_quietly(cl, own_cluster)


def close_quietly(client, cluster=None) -> None:
    """Close a client (and a cluster we started) without log noise, ignoring a second Ctrl-C."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    ctx = _sigint_ignored()
    with ctx:
        for obj in (client, cluster):
            if obj is None:
                continue
            try:
                obj.close()
            except Exception as exc:  # noqa: BLE001 - shutting down: report, never raise
                log.debug("closing %r: %s", obj, exc)
    for lg, lv in zip(loggers, levels, strict=True):
        lg.setLevel(lv)
