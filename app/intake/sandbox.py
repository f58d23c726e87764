"""Run the MIME parser in a child process with a hard time limit.

Some header shapes make the stdlib parser quadratic or worse (cpython #87075,
gh-136063), and a thread cannot be stopped, so the parse runs in a process we can
kill. The "forkserver" start method forks children from a clean single-threaded
server instead of from the web or worker process (which may hold threads, locks and
database connections). The child returns a plain `ParsedEmail` or a reason string.
"""
from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.context import BaseContext

from app.intake.parsing import Limits, ParsedEmail, ParseRejected, parse_message

_lock = threading.Lock()
_context: BaseContext | None = None


class ParseTimeout(ParseRejected):
    pass


def _ctx() -> BaseContext:
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["app.intake.parsing"])
            _context = ctx
    return _context


def _child(raw: bytes, limits: Limits, conn) -> None:
    try:
        conn.send(("ok", parse_message(raw, limits)))
    except ParseRejected as error:
        conn.send(("rejected", str(error)))
    except RecursionError:
        conn.send(("rejected", "the MIME structure is too deep to read"))
    except Exception as error:  # the parser should never raise, but a hostile message may find a way
        conn.send(("rejected", f"the parser failed ({type(error).__name__})"))
    finally:
        conn.close()


def parse_with_limit(raw: bytes, limits: Limits, seconds: float, isolate: bool = True) -> ParsedEmail:
    """`parse_message` under a hard limit; ParseRejected (or ParseTimeout) with the reason otherwise."""
    if not isolate:
        return parse_message(raw, limits)
    ctx = _ctx()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(raw, limits, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise ParseTimeout(f"parsing took longer than {seconds:g} s")
        try:
            status, value = receiver.recv()
        except EOFError:
            raise ParseRejected("the parser process died") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        process.close()
    if status != "ok":
        raise ParseRejected(value)
    return value
