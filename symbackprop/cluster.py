"""Run bounded jobs as tasks of a dask.distributed cluster (``grade --scheduler ADDRESS``).

Each task runs :func:`symbackprop.runner.run_jobs` on its one job inside the dask worker: the job gets
its own child process there with the same CPU, memory and wall-clock limits as on this machine, so a
hostile claim ends as its own ``timeout``/``memory``/``crashed`` result and never takes a worker down;
the task returns the :class:`~symbackprop.runner.JobResult`, exactly what a local run returns. Job
functions travel by reference (module and name), so the workers need symbackprop installed (the same
version). Objects every job shares (the reference's relation keys) are scattered to the workers once
(``shared``) and appended to each job there.

The dask workers must be allowed to start processes: a worker started as a daemonic process cannot
(Python refuses), so start them with ``distributed.worker.daemon: False`` (environment:
``DASK_DISTRIBUTED__WORKER__DAEMON=False``); :func:`local_cluster` does this for tests and benchmarks.
``distributed`` is the optional extra ``pip install 'symbackprop[distributed]'``.
"""
from __future__ import annotations

from dataclasses import replace

from .errors import SymbackpropError
from .runner import JobResult, Limits, run_jobs

__all__ = ["run_on_cluster", "bounded_task", "local_cluster", "client_for"]


def _distributed():
    try:
        import distributed
    except ImportError:
        raise SymbackpropError("--scheduler needs the optional dependency 'distributed': "
                               "pip install 'symbackprop[distributed]'") from None
    return distributed


def bounded_task(func, job, limits: Limits, shared=None) -> JobResult:
    """In a dask worker: ``func(job)`` (``job + (shared,)`` when shared is given) in one bounded child."""
    if shared is not None:
        job = (*job, shared)
    return run_jobs(func, [job], replace(limits, workers=1, file_timeout=None))[0]


def client_for(address):
    """A dask Client connected to ``address`` (a usage error naming it when it cannot connect)."""
    distributed = _distributed()
    try:
        return distributed.Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise SymbackpropError(f"cannot connect to the dask scheduler at {address!r}: {e}") from None


def run_on_cluster(func, jobs, limits: Limits, address, on_result=None, share_last=True) -> list:
    """Results of ``func`` over ``jobs`` computed on the cluster at ``address`` (in job order).

    ``share_last``: the last element of every job is the same object (scattered once, not sent per task).
    ``on_result(index, result)`` is called as each task finishes.
    """
    distributed = _distributed()
    jobs = list(jobs)
    if not jobs:
        return []
    client = address if isinstance(address, distributed.Client) else client_for(address)
    try:
        shared = None
        if share_last:
            shared = client.scatter(jobs[0][-1], broadcast=True)
            jobs = [j[:-1] for j in jobs]
        futures = [client.submit(bounded_task, func, job, limits, shared, pure=False) for job in jobs]
        where = {f.key: i for i, f in enumerate(futures)}
        results = [None] * len(jobs)
        for fut in distributed.as_completed(futures, loop=client.loop):
            i = where[fut.key]
            try:
                res = fut.result()
            except Exception as e:  # noqa: BLE001 - a lost worker is that job's crash, not the run's
                res = JobResult("crashed", None, 0.0, f"dask task failed: {type(e).__name__}: {e}"[:300])
            results[i] = res
            if on_result is not None:
                on_result(i, res)
        return results
    finally:
        if client is not address:
            client.close()


def local_cluster(n_workers=2):
    """A LocalCluster of ``n_workers`` non-daemonic worker processes on loopback (tests, benchmarks)."""
    distributed = _distributed()
    import dask
    with dask.config.set({"distributed.worker.daemon": False}):
        return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None)
