# labrun-section: common
# The course's magics as labrun runs them, for Jupyter: labrun export puts
# this cell first (only the sections the lesson uses) and labrun import
# drops it again. Modelled on the course's tools/set_up_magics, written
# for labrun. _labrun_magics is the version of the course's magics the
# lesson runs with: "2019" shows no %// or %# comment line of a file cell,
# "current" shows each as a heading.
import html
import os
import random
import shutil
import signal
import subprocess
import threading

from IPython import get_ipython
from IPython.core.magic import needs_local_scope, register_cell_magic, register_line_magic
from IPython.display import HTML, Markdown, display


def _labrun_logged(log_path, text):
    """The HTML display of a background log: the text as it is now, for
    Jupyter; and the marker by which the course's Markdown export puts the
    log file's final content in its place."""
    return HTML("<!--MD_BEGIN_FILTER--><pre>%s</pre><!--MD_END_FILTER-->\n<!--MD_FROM_FILE %s -->"
                % (html.escape(text), log_path))


class _LabrunLiveLog:
    """A background log shown at the cell that started it: after every
    cell its display is brought up to date, from the kernel's main thread
    (Jupyter takes a display update only as part of a cell's run), until
    it is final."""

    shown = []

    def __init__(self, log_path, text, final):
        self.log_path, self.text, self.final = log_path, text, final
        self.last = text()
        self.display = display(_labrun_logged(log_path, self.last), display_id=True)
        _LabrunLiveLog.shown.append(self)

    def refresh(self):
        done, now = self.final(), self.text()
        if now != self.last:
            self.display.update(_labrun_logged(self.log_path, now))
            self.last = now
        if done:
            _LabrunLiveLog.shown.remove(self)

    @staticmethod
    def refresh_all(*_):
        for log in list(_LabrunLiveLog.shown):
            log.refresh()


for _cb in list(get_ipython().events.callbacks["post_run_cell"]):
    if getattr(_cb, "__name__", "") == "refresh_all":
        get_ipython().events.unregister("post_run_cell", _cb)
get_ipython().events.register("post_run_cell", _LabrunLiveLog.refresh_all)


# labrun-section: files
def _labrun_file_cell(args_str, cell, comment):
    """%%cpp, %%asm, %%save_file, %%cmake, %%makefile: write the cell to
    its file (each %-line as a comment, a first line naming the cell),
    then run its %run lines and show its %MD lines, in order."""
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("fname")
    parser.add_argument("--ejudge-style", action="store_true")
    if _labrun_magics != "2019":
        parser.add_argument("--under-spoiler-threshold", type=int, default=None)
    args = parser.parse_args(args_str.split())
    if not cell.endswith("\n"):
        cell += "\n"
    steps = []
    with open(args.fname, "w") as f:
        f.write("%s %%%%cpp %s\n" % (comment, args_str))
        for line in cell.split("\n"):
            if line.startswith("%"):
                f.write(comment + " ")
                steps.append(_labrun_subcommand(line, comment))
            f.write((line.rstrip() if args.ejudge_style else line) + "\n")
        if args.ejudge_style:
            f.write(comment + " line without \\n")
    threshold = getattr(args, "under_spoiler_threshold", None)
    for kind, text in steps:
        if kind == "run":
            display(Markdown("Run: `%s`" % text))
            if threshold:
                _labrun_spoiler(text, threshold)
            else:
                get_ipython().system(text)
        elif kind == "md":
            display(Markdown(text))
        elif _labrun_magics != "2019":
            display(Markdown("\\#\\#\\#\\# `%s`" % text))


def _labrun_subcommand(line, comment):
    for prefix, kind in (("%run ", "run"), ("%MD ", "md"), ("%#", "comment"), ("%//", "comment")):
        if line.startswith(prefix):
            return kind, line[len(prefix):].strip()
    raise ValueError("unknown %%%%save_file subcommand: %r" % line)


def _labrun_spoiler(cmd, threshold):
    """A %run line under --under-spoiler-threshold: its output (stdout and
    stderr together) in a <pre>, folded when it has more lines."""
    r = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = html.escape(r.stdout[:-1] if r.stdout.endswith("\n") else r.stdout)
    if len(out.split("\n")) > threshold:
        display(HTML("<details> <summary> output </summary> <pre><code>%s</code></pre></details>" % out))
    elif out:
        display(HTML("<pre><code>%s</code></pre>" % out))


@register_cell_magic
def save_file(line, cell):
    _labrun_file_cell(line, cell, "#")


@register_cell_magic
def cmake(line, cell):
    _labrun_file_cell(line, cell, "#")


@register_cell_magic
def cpp(line, cell):
    _labrun_file_cell(line, cell, "//")


@register_cell_magic
def asm(line, cell):
    _labrun_file_cell(line, cell, "//")


@register_cell_magic
def makefile(line, cell):
    _labrun_file_cell(line.strip() or "makefile", cell.replace("    ", "\t"), "#")


# labrun-section: p
@register_line_magic
@needs_local_scope
def p(line, local_ns=None):
    """%p EXPR  # comment: EXPR and its value as Markdown; %p # TEXT: TEXT."""
    ns = dict(get_ipython().user_ns)
    ns.update(local_ns or {})
    line = line.strip()
    if line.startswith("#"):
        display(Markdown(line[1:].strip()))
        return
    try:
        expr, comment = line.split(" #")
        display(Markdown("`{} = {}`  # {}".format(expr.strip(), eval(expr, ns), comment.strip())))
    except Exception:
        display(Markdown("{} = {}".format(line, eval(line, ns))))


# labrun-section: MD
@register_line_magic
def MD(line):
    display(Markdown(line.strip()))


# labrun-section: launcher
class TInteractiveLauncher:
    """Runs a command in the background (bash -c, its own session) and
    keeps its log: "L | Process started. PID = N", "O | " a stdout line,
    "E | " a stderr line, "I | " an input line, "L | Process finished.
    Exit code N" (or "Got signal N"). The log shows at the cell that
    started it, brought up to date after each cell, final once close()
    returned. Input goes through a FIFO
    (input_queue_path()), which write() writes to too."""

    tmp_path = "./interactive_launcher_tmp"
    running = []

    def __init__(self, cmd):
        os.makedirs(self.tmp_path, exist_ok=True)
        name = os.path.join(self.tmp_path, str(random.randint(0, 10**18)))
        self.inq_path, self.log_path = name + ".inq", name + ".log.md"
        os.mkfifo(self.inq_path)
        self._lines, self._lock = [], threading.Lock()
        self._proc = subprocess.Popen(["bash", "-c", cmd], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, start_new_session=True)
        self.pid = self._proc.pid
        self._log("L", "Process started. PID = %d" % self.pid)
        readers = [threading.Thread(target=self._read, args=(tag, f), daemon=True)
                   for tag, f in (("O", self._proc.stdout), ("E", self._proc.stderr))]
        threading.Thread(target=self._feed, daemon=True).start()
        self._inq = open(self.inq_path, "w")
        for t in readers:
            t.start()
        self._done = threading.Thread(target=self._wait, args=(readers,), daemon=True)
        self._done.start()
        self._closed = False
        self._shown = _LabrunLiveLog(self.log_path, self._text, lambda: self._closed)
        TInteractiveLauncher.running.append(self)

    def _text(self):
        with self._lock:
            return "".join(self._lines)

    def _log(self, tag, line):
        with self._lock:
            self._lines.append("%s | %s\n" % (tag, line.rstrip("\n")))
            with open(self.log_path, "w") as f:
                f.write("".join(self._lines))

    def _read(self, tag, f):
        for line in f:
            self._log(tag, line.decode("utf-8", "replace"))

    def _feed(self):
        stdin = self._proc.stdin
        with open(self.inq_path, "rb", buffering=0) as q:
            for line in q:
                self._log("I", line.decode("utf-8", "replace"))
                try:
                    stdin.write(line)
                    stdin.flush()
                except OSError:
                    pass
        try:
            stdin.close()
        except OSError:
            pass

    def _wait(self, readers):
        status = self._proc.wait()
        for t in readers:
            t.join()
        if status < 0:
            self._log("L", "Process finished. Got signal %d" % -status)
        else:
            self._log("L", "Process finished. Exit code %d" % status)

    def write(self, s):
        self._inq.write(s)
        self._inq.flush()

    def get_pid(self):
        return self.pid

    def input_queue_path(self):
        return self.inq_path

    def close(self, timeout=3):
        """Ends the input; waits up to timeout seconds for the command to
        end, then kills its process group; shows the final log."""
        self._inq.close()
        self._done.join(timeout)
        if self._done.is_alive():
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self._done.join()
        os.remove(self.inq_path)
        self._closed = True
        self._shown.refresh()
        TInteractiveLauncher.running.remove(self)
        self.pid = None

    @staticmethod
    def terminate_all():
        for launcher in list(TInteractiveLauncher.running):
            try:
                os.killpg(launcher.pid, signal.SIGKILL)
            except OSError:
                pass
        TInteractiveLauncher.running = []
        shutil.rmtree(TInteractiveLauncher.tmp_path, ignore_errors=True)


TInteractiveLauncher.terminate_all()


# labrun-section: bash_async
_labrun_async_dir = "./bash_popen_tmp"
shutil.rmtree(_labrun_async_dir, ignore_errors=True)


@register_line_magic
def bash_async(line):
    """%bash_async CMD: CMD in the background; its STDOUT, STDERR and RUN
    LOG show at this cell, brought up to date after each cell."""
    os.makedirs(_labrun_async_dir, exist_ok=True)
    name = os.path.join(_labrun_async_dir, str(random.randint(0, 10**18)))
    out, err = open(name + ".out", "wb"), open(name + ".err", "wb")
    proc = subprocess.Popen(["bash", "-c", line], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                            start_new_session=True)
    run_log = ["Process started! pid=%d" % proc.pid]

    def text():
        parts = []
        for title, path in (("STDOUT", name + ".out"), ("STDERR", name + ".err")):
            with open(path, errors="replace") as f:
                parts.append("%s:\n%s" % (title, f.read()))
        return "".join(p if p.endswith("\n") else p + "\n" for p in parts) + "RUN LOG:\n" + "\n".join(run_log) + "\n"

    def write():
        with open(name + ".md", "w") as f:
            f.write(text())

    write()
    ended = threading.Event()

    def wait():
        code = proc.wait()
        run_log.append("Process finished! exit_code=%d" % (128 - code if code < 0 else code))
        out.close()
        err.close()
        write()
        ended.set()

    threading.Thread(target=wait, daemon=True).start()
    _LabrunLiveLog(name + ".md", text, ended.is_set)
