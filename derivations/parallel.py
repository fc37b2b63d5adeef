"""Verify many derivations on every core: each step is judged in a worker process, results come back in order."""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import traceback
from concurrent.futures import ProcessPoolExecutor

_WORK: list = []     # the derivations being verified, inherited by forked workers
_LIMIT: list = [None]  # seconds per step (None: no limit), inherited by forked workers

_TABLES: dict = {}   # derivation index -> its definitions table, built once per worker

# How long after a step's limit the parent kills a worker whose alarm did not fire (stuck in one C call).
GRACE = 5.0


class StepFailure(Exception):
    """Judging one step did not give a verdict: it raised, or ran past the time limit. The message names the
    derivation, the step (number and justification) and, for the limit, its value and how to raise it."""

    def __init__(self, message, trace=""):
        super().__init__(message)
        self.trace = trace

    def __reduce__(self):  # back from a worker with its traceback text
        return type(self), (str(self), self.trace)


class _Alarm(BaseException):
    """Raised in a worker by SIGALRM at the step's deadline (a BaseException: no `except Exception` in SymPy
    swallows it)."""


def _on_alarm(signum, frame):
    raise _Alarm()


def _step_name(d, j):
    why = " ".join(str(d.steps[j].why).split())
    return f"{d.name}: step {j + 1} ({why if len(why) <= 60 else why[:57] + '...'})"


def limit_message(d, j, seconds):
    return (f"{_step_name(d, j)} exceeded the per-step time limit of {seconds:g} s "
            "(raise it with --time-limit SECONDS)")


def _judge(task):
    i, j = task
    d = _WORK[i]
    limit = _LIMIT[0]
    if limit:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        if i not in _TABLES:
            _TABLES[i] = d._valid_definitions()[0]
        return d.verify_step(d.steps[j], d.steps[j - 1] if j else None, _TABLES[i])
    except _Alarm:
        return StepFailure(limit_message(d, j, limit))
    except Exception as e:  # noqa: BLE001 - a user's step may break SymPy in any way: name the step
        return StepFailure(f"{_step_name(d, j)}: {type(e).__name__}: {' '.join(str(e).split())[:200]}",
                           traceback.format_exc())
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)


def workers() -> int:
    """Cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _kill(pool):
    for p in list((pool._processes or {}).values()):  # no public way to stop a running task
        p.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def verify_many(ds, jobs=None, progress=None, time_limit=None) -> list:
    """``[d.verify() for d in ds]``, with the steps of all of them spread over ``jobs`` processes
    (default: every core). ``time_limit``: seconds per step, enforced in the workers (an alarm, and the
    parent kills a worker stuck past it); a step past it, or raising, raises StepFailure.
    Without a limit, falls back to one process where fork is unavailable or jobs == 1."""
    ds = list(ds)
    jobs = workers() if jobs is None else max(1, jobs)
    if "fork" not in multiprocessing.get_all_start_methods() or (jobs == 1 and time_limit is None):
        return [d.verify() for d in ds]
    _WORK[:] = ds
    _LIMIT[0] = time_limit
    tasks = [(i, j) for i, d in enumerate(ds) for j in range(len(d.steps))]
    done = {}
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_judge, t) for t in tasks]
        # Tasks start in order, so when all before one are done, it is running: its wait is bounded.
        wait = None if time_limit is None else time_limit + GRACE
        for n, (task, fut) in enumerate(zip(tasks, futures), 1):
            try:
                result = fut.result(timeout=wait)
            except concurrent.futures.TimeoutError:
                raise StepFailure(limit_message(ds[task[0]], task[1], time_limit)) from None
            if isinstance(result, StepFailure):
                raise result
            done[task] = result
            if progress and (n == len(tasks) or tasks[n][0] != task[0]):   # once per derivation
                progress(task[0] + 1, len(ds), f"{ds[task[0]].name} ({n}/{len(tasks)} steps)")
    except BaseException:
        _kill(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _WORK.clear()
        _TABLES.clear()
        _LIMIT[0] = None
    return [d.verify(judge_steps=lambda d, steps, i=i: [done[i, j] for j in range(len(steps))])
            for i, d in enumerate(ds)]
