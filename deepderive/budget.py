"""Time budgets for user-facing work: run a function in a forked child, killed at its deadline."""
from __future__ import annotations

import multiprocessing
import sys
import traceback

#: Default wall-clock limit, in seconds, of one `check` (derive + generate + check) and of one `verify` step.
DEFAULT_TIME_LIMIT = 60.0


class TimeLimitExceeded(Exception):
    """Work that ran past its time limit; the message names the limit, its value and how to raise it."""


class ChildFailed(Exception):
    """The child raised an exception the caller did not expect; ``trace`` is its traceback text."""

    def __init__(self, message, trace=""):
        super().__init__(message)
        self.trace = trace


def limit_message(what, seconds, flag="--time-limit"):
    return (f"{what} exceeded the time limit of {seconds:g} s (raise it with {flag} SECONDS, "
            "or simplify the input)")


def positive_seconds(text):
    """argparse type for --time-limit: a positive, finite number of seconds."""
    import argparse
    import math
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return v


def _child(conn, fn, args, expected):
    try:
        out = ("ok", fn(*args))
    except expected as e:
        out = ("expected", e, traceback.format_exc())
    except BaseException as e:  # noqa: BLE001 - everything goes back to the parent as one line + traceback
        out = ("error", " ".join(f"{type(e).__name__}: {e}".split())[:500], traceback.format_exc())
    try:
        conn.send(out)
    except Exception as e:  # noqa: BLE001 - an unpicklable result or exception
        conn.send(("error", f"cannot return the result: {type(e).__name__}: {e}"[:500], traceback.format_exc()))
    finally:
        conn.close()


#: libraries that run native thread pools a forked child would inherit mid-lock (JAX warns of deadlock)
_THREADED = ("jax", "torch", "tensorflow")


def _start_method() -> str:
    """fork (cheap: the child shares the parent's imports) unless a threaded runtime is loaded; then
    forkserver, whose children fork from a clean single-threaded server."""
    if any(name in sys.modules for name in _THREADED) and "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return "fork"


def run_limited(fn, args=(), *, seconds, what, expected=(), flag="--time-limit"):
    """``fn(*args)`` in a forked child killed after ``seconds``: its result, or the expected exception it
    raised (re-raised here), TimeLimitExceeded at the deadline, ChildFailed for anything else.

    A child, not an alarm: SymPy may spend minutes inside one C call (a huge integer power), where no signal
    handler runs. Without fork (not Linux/macOS) the work runs here, unlimited. Under forkserver, ``fn``,
    its arguments and result must pickle."""
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not POSIX
        return fn(*args)
    ctx = multiprocessing.get_context(_start_method())
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args, expected), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(seconds):
            raise TimeLimitExceeded(limit_message(what, seconds, flag))
        try:
            kind, *payload = recv.recv()
        except EOFError:
            proc.join(5)
            raise ChildFailed(f"{what} stopped without a result (exit code {proc.exitcode}; out of memory?)") from None
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if kind == "ok":
        return payload[0]
    if kind == "expected":
        exc, trace = payload
        exc.child_trace = trace  # for --debug: where in the child it was raised
        raise exc
    raise ChildFailed(*payload)

