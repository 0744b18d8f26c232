# labrun's Python worker (part 7 of 12, after aliases.py): background steps (TInteractiveLauncher).


# ---- background steps ----------------------------------------------------


class TInteractiveLauncher:
    """Runs a command in the background (bash -c, pipes, own process group).

    Its log (L | started/finished, O | stdout, E | stderr, I | input) is
    shown at the cell that created it, with its final content."""

    def __init__(self, cmd):
        rep = _call("bg_start", cmd=cmd, style="launcher")
        self._id = rep["id"]
        self.pid = rep["pid"]
        self._inq = rep["inq"]
        self._closed = False

    # After close(), the course's launcher had closed its queue file and
    # set pid and the paths to None: its calls then raised these errors.

    def write(self, s):
        if self._closed:
            raise ValueError("I/O operation on closed file")
        _call("bg_write", id=self._id, data=s if isinstance(s, str) else s.decode())

    def get_pid(self):
        if self._closed:
            raise TypeError("expected str, bytes or os.PathLike object, not NoneType")
        return self.pid

    def input_queue_path(self):
        return None if self._closed else self._inq

    def close(self, timeout=3):
        if self._closed:
            raise TypeError("'NoneType' object cannot be interpreted as an integer")
        _call("bg_close", id=self._id, timeout=float(timeout))
        self._closed, self.pid = True, None

    @staticmethod
    def terminate_all():
        _call("bg_terminate_all")


def _bash_async(line):
    _call("bg_start", cmd=line, style="bash_async")
