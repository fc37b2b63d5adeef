"""Verify many derivations on every core: each step is judged in a worker process, results come back in order."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

_WORK: list = []     # the derivations being verified, inherited by forked workers


_TABLES: dict = {}   # derivation index -> its definitions table, built once per worker


def _judge(task):
    i, j = task
    d = _WORK[i]
    if i not in _TABLES:
        _TABLES[i] = d._valid_definitions()[0]
    return d.verify_step(d.steps[j], d.steps[j - 1] if j else None, _TABLES[i])


def workers() -> int:
    """Cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def verify_many(ds, jobs=None, progress=None) -> list:
    """``[d.verify() for d in ds]``, with the steps of all of them spread over ``jobs`` processes
    (default: every core). Falls back to one process where fork is unavailable or jobs == 1."""
    ds = list(ds)
    jobs = workers() if jobs is None else jobs
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [d.verify() for d in ds]
    _WORK[:] = ds
    tasks = [(i, j) for i, d in enumerate(ds) for j in range(len(d.steps))]
    done = {}
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for n, (task, result) in enumerate(zip(tasks, pool.map(_judge, tasks, chunksize=1)), 1):
                done[task] = result
                if progress and (n == len(tasks) or tasks[n][0] != task[0]):   # once per derivation
                    progress(task[0] + 1, len(ds), f"{ds[task[0]].name} ({n}/{len(tasks)} steps)")
    finally:
        _WORK.clear()
        _TABLES.clear()
    return [d.verify(judge_steps=lambda d, steps, i=i: [done[i, j] for j in range(len(steps))])
            for i, d in enumerate(ds)]
