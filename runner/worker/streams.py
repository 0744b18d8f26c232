# labrun's Python worker (part 2 of 12, after protocol.py): stdout and stderr as ipykernel keeps and sends them, the fds below them, and !cmd (_system).


# Like ipykernel, each stream keeps what is written and sends it 0.2 s
# after its first write, or when something else is shown (a display, the
# cell's end: stdout first, then stderr; a !cmd step sends stdout's, and
# stderr's when its time comes among the step's output: _system). That is
# what decides the order of stdout and stderr in the recorded lessons.
_FLUSH_INTERVAL = 0.2
# A stream sends what it keeps once it holds this many characters.
_FLUSH_SIZE = 1 << 20

# What reaches the worker's fd 1 and 2 (os.write, C code, a child process
# of the lesson's Python) is captured too, as ipykernel's OutStream with
# watchfd does: fd 1 and 2 are pipes the worker reads itself. To keep the
# order of writes, every write to sys.stdout or sys.stderr first takes in
# what the pipes hold (a write to a pipe is there once os.write returns),
# and so does every event sent; a thread (_pump) takes in what arrives
# while the cell's Python does not write. (Writes to fd 1 and fd 2 with no
# Python write between them cannot be told apart in time: fd 1's come
# first.) _io_lock guards the streams' buffers and every send; the thread
# sends nothing between requests (_active false): what arrives then is
# kept, up to _FLUSH_SIZE a stream, for the next request.
_io_lock = threading.RLock()
_active = False
_fd_pipes = {}  # read end -> (stream, incremental decoder)
_RAW_ERR = 2  # the worker's own stderr (labrun's pipe), for its last words


class _Stream:
    """sys.stdout / sys.stderr, buffered as ipykernel's OutStream."""

    def __init__(self, name):
        self.name = name
        self.encoding = "utf-8"
        self.errors = "replace"
        self._buf = []
        self._since = None
        self._size = 0
        self._dropped = 0  # characters dropped between requests

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            with _io_lock:
                _drain_fds()
                _flush_due(time.monotonic())
                self._append(s)
        return len(s)

    def _append(self, s):
        if not _active and self._size > _FLUSH_SIZE:
            self._dropped += len(s)  # a thread of the lesson floods between cells
            return
        if self._since is None:
            self._since = time.monotonic()
        self._buf.append(s)
        self._size += len(s)
        if self._size > _FLUSH_SIZE and _active:
            self.flush()

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def _take(self):
        """Empty the buffer (_io_lock held): (text, time of its first
        write), or ("", None)."""
        if not self._buf:
            return "", None
        text, since = "".join(self._buf), self._since
        self._buf, self._since, self._size = [], None, 0
        return text, since

    def _restore(self, text, since):
        """Hold text again, before what came since (_io_lock held)."""
        if text:
            self._buf.insert(0, text)
            self._size += len(text)
            self._since = since if self._since is None else min(since, self._since)

    def flush(self):
        with _io_lock:
            if self._buf and _active:  # between requests, kept for the next one
                if self._dropped:
                    self._buf.append("\n[labrun: %d characters written between cells dropped]\n" % self._dropped)
                    self._dropped = 0
                text = "".join(self._buf)
                self._buf, self._since, self._size = [], None, 0
                for i in range(0, len(text), 1 << 16):  # bounded protocol lines
                    _event("stream", name=self.name, text=text[i:i + (1 << 16)])

    def isatty(self):
        return False

    def fileno(self):
        return 1 if self.name == "stdout" else 2

    @property
    def closed(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True


_STDOUT = _Stream("stdout")
_STDERR = _Stream("stderr")


def _capture_fds():
    """Make fd 1 and 2 pipes that the worker reads (see _io_lock)."""
    global _RAW_ERR
    _RAW_ERR = os.dup(2)
    for fd, stream in ((1, _STDOUT), (2, _STDERR)):
        r, w = os.pipe()
        os.dup2(w, fd)
        os.close(w)
        os.set_blocking(r, False)
        _fd_pipes[r] = (stream, codecs.getincrementaldecoder("utf-8")("replace"))
    threading.Thread(target=_pump, name="labrun-fd-pump", daemon=True).start()


def _before_fork():
    """The lesson's Python forks: no other thread holds _io_lock meanwhile,
    and what was written so far is sent first."""
    _io_lock.acquire()
    _flush_all()


def _after_fork_in_child():
    """In the child: a fresh lock (the pump thread is not there), nothing
    of the parent's output to send again, and the fd output is the
    parent's to read."""
    global _io_lock
    _io_lock = threading.RLock()
    _fd_pipes.clear()
    for stream in (_STDOUT, _STDERR):
        stream._buf, stream._since, stream._size = [], None, 0


os.register_at_fork(before=_before_fork, after_in_parent=lambda: _io_lock.release(),
                    after_in_child=_after_fork_in_child)


def _drain_fds():
    """Take in what fd 1 and 2 hold, without waiting (_io_lock held)."""
    for r, (stream, decoder) in _fd_pipes.items():
        while True:
            try:
                data = os.read(r, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            text = decoder.decode(data)
            if text:
                stream._append(text)


def _pump():
    """Take in fd output while the cell's Python is not writing."""
    fds = list(_fd_pipes)
    while True:
        select.select(fds, [], [])
        with _io_lock:
            full = not _active and max(_STDOUT._size, _STDERR._size) > _FLUSH_SIZE
            if not full:
                _drain_fds()
        if full:
            time.sleep(_FLUSH_INTERVAL)  # the writers wait on the full pipe


def _flush_due(now):
    """Send the streams whose first pending write is 0.2 s old, oldest first."""
    due = [s for s in (_STDOUT, _STDERR) if s._since is not None and now - s._since >= _FLUSH_INTERVAL]
    for s in sorted(due, key=lambda s: s._since):
        s.flush()


def _system(cmd):
    """Run !cmd, returning its exit status, with the flushes of IPython's
    system() (IPython/utils/_process_posix.py, ProcessHandler.system): it
    prints the command's output to sys.stdout and calls sys.stdout.flush()
    after each read, so what stdout held goes first; it never flushes
    sys.stderr, whose text goes when ipykernel's timer fires
    (iostream.py, OutStream._schedule_flush: flush_interval after its first
    write). That may be while the command runs: labrun, which reads its
    output, puts the text there at that moment (runner/heldstream.go); if
    the command ends first, the text is held here again."""
    with _io_lock:
        _drain_fds()
        now = time.monotonic()
        _flush_due(now)  # what ipykernel's timers sent by now
        _STDOUT.flush()
        held, since = _STDERR._take() if _active else ("", None)
    due = max(0.0, since + _FLUSH_INTERVAL - now) if held else 0.0
    try:
        rep = _call("system", cmd=cmd, stderr=held, stderr_due=due)
    except KeyboardInterrupt:
        raise  # the cell ends interrupted: labrun showed the text with the step
    except BaseException:
        with _io_lock:
            _STDERR._restore(held, since)  # refused: the command never ran
        raise
    if not rep["stderr_shown"]:
        with _io_lock:
            _STDERR._restore(held, since)
    return rep["status"]


def _flush_all():
    """Send everything written so far: stdout first, then stderr."""
    with _io_lock:
        _drain_fds()
        _STDOUT.flush()
        _STDERR.flush()
