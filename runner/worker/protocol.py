# labrun's Python worker: one per lesson, state kept across cells.
#
# It runs Python cells the way an IPython kernel with the course's magics
# did, but it starts no external process itself: every shell command and
# background step is a request to the Go side, which owns processes,
# timeouts and cleanup. The protocol (one JSON object a line; requests from
# Go on fd 3, events and requests to Go on fd 4) is documented, op by op,
# in runner/protocol.go; _TO_GO and _FROM_GO below are its table.
#
# Its source is one file a concept (runner/worker/*.py, this one first);
# runner/pyworker.go joins them, in the order of its workerParts, into the
# one module that runs (labrun_worker.py).
#
# Everything the worker needs, and what it pre-imports for the lesson, is
# imported here, before the work dir goes on sys.path (in main): a
# lesson's glob.py or shlex.py must not replace them.
import ast
import builtins
import codecs
import codeop
import collections
import contextlib
import gc
import getopt
import hashlib
import inspect
import io
import itertools
import json
import keyword
import linecache
import math
import os
import re
import resource
import select
import shlex
import signal
import string
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import timeit
import tokenize
import traceback
import types
import unicodedata  # noqa: F401 -- traceback imports it lazily
import warnings

# What the course's set-up cell imported for the lessons.
_PREIMPORTED = ("os", "sys", "re", "signal", "shutil", "shlex", "glob", "time", "random", "subprocess")
for _name in _PREIMPORTED:
    __import__(_name)

_IN = os.fdopen(3, "r", encoding="utf-8", errors="surrogateescape")
_OUT = os.fdopen(4, "w", encoding="utf-8", errors="surrogateescape")

# The fields of each op, beside "op" and "seq" (runner/protocol.go).
_TO_GO = {
    "ready": (),
    "stream": ("name", "text"),
    "display": ("mime", "data"),
    "error": ("ename", "evalue", "traceback", "fails"),
    "done": (),
    "expanded": ("text",),
    "system": ("cmd", "stderr", "stderr_due"),
    "getoutput": ("cmd",),
    "bg_start": ("cmd", "style"),
    "bg_write": ("id", "data"),
    "bg_close": ("id", "timeout"),
    "bg_terminate_all": (),
}
_FROM_GO = {
    "run": ("cell", "code"),
    "expand": ("text",),
    "magic": ("cell", "code", "status", "raise"),
    "status": ("status", "stderr_shown"),
    "output": ("output",),
    "started": ("id", "pid", "inq"),
    "ok": (),
    "refused": ("error",),
}
# The answer each request of the worker awaits ("refused" answers any).
_ANSWER = {"system": "status", "getoutput": "output", "bg_start": "started",
           "bg_write": "ok", "bg_close": "ok", "bg_terminate_all": "ok"}


class ProtocolError(BaseException):
    """A message from labrun that the protocol does not allow. A
    BaseException, so that the lesson's `except Exception` does not hide
    it: it fails the cell."""


# _seq is the seq of labrun's request being served (events carry it);
# _req_seq numbers the worker's own requests.
_seq = 0
_req_seq = 0


def _send(op, seq, **fields):
    """The one encoder: write message op with exactly its fields."""
    if set(fields) != set(_TO_GO[op]):
        raise ProtocolError("labrun worker: %s takes %s, not %s" % (op, _TO_GO[op], sorted(fields)))
    fields["op"], fields["seq"] = op, seq
    line = json.dumps(fields) + "\n"
    with _io_lock:
        _OUT.write(line)
        _OUT.flush()


def _event(op, **fields):
    """Send an event of the request being served (a thread of the lesson
    that displays something between cells gets an error)."""
    if not _active:
        raise RuntimeError("labrun worker: no cell is running to show this %s in" % op)
    _send(op, _seq, **fields)


def _decode(line):
    """Parse one line from labrun, checking its op and fields."""
    try:
        msg = json.loads(line)
    except ValueError as e:
        raise ProtocolError("labrun sent a line that is not a message (%s): %r" % (e, line[:300]))
    if not isinstance(msg, dict) or msg.get("op") not in _FROM_GO:
        raise ProtocolError("labrun sent an unknown message: %r" % line[:300])
    want = set(_FROM_GO[msg["op"]]) | {"op", "seq"}
    if set(msg) != want or not isinstance(msg["seq"], int):
        raise ProtocolError("labrun sent a %s message with fields %s, want %s: %r" % (
            msg["op"], sorted(msg), sorted(want), line[:300]))
    return msg


def _recv():
    line = _IN.readline()
    if not line:
        os._exit(0)
    return _decode(line)


def _await_answer(op, seq):
    """Wait for labrun's answer to the worker's request op #seq."""
    msg = _recv()
    if msg["seq"] != seq or msg["op"] not in (_ANSWER[op], "refused"):
        raise ProtocolError("labrun answered %s #%d with %s #%d: %r" % (
            op, seq, msg["op"], msg["seq"], json.dumps(msg)[:300]))
    if msg["op"] == "refused":
        raise RuntimeError(msg["error"])
    return msg


# The worker's requests whose answer it stopped waiting for (an interrupt
# came first): their answers are read, and discarded, later.
_abandoned = {}


# Before a request, what the streams hold is sent: stdout, then stderr,
# as IPython's getoutput does (IPython/utils/_process_common.py,
# process_handler: sys.stdout.flush(); sys.stderr.flush()), except before
# system, which flushes as _system says.
_NO_FLUSH = ("system",)


def _call(op, **kw):
    """Ask the Go side to do something and wait for its answer."""
    global _req_seq
    if op not in _NO_FLUSH:
        _flush_all()
    _req_seq += 1
    seq = _req_seq
    # An interrupt right after the request went out (labrun interrupts as
    # soon as it reads a request that comes past the cell's deadline) must
    # abandon it too: its answer comes all the same.
    try:
        _send(op, seq, **kw)
        return _await_answer(op, seq)
    except KeyboardInterrupt:
        _abandoned[seq] = op
        raise
