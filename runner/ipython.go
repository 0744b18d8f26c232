package runner

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/labrun/labrun/internal/config"
)

// What labrun shows as the configured IPython version (Settings.IPython)
// did where that version's own files and lines show: the warnings IPython
// gives through Python's warnings module, whose "FILE:LINE: Category:"
// prefix names the line of IPython that warned. A warning of the lesson's
// Python (an HTML <iframe>) the worker (worker/*.py) gives through Python's
// warnings module, from the places it gets on its command line
// (workerArgs); the "To exit" warning after a SystemExit, of a Python
// cell or of a magic's argparse, is worded here, as that module formats
// it, and shown once a lesson (exitWarned): IPython warns it from one
// line, whoever exited. The frame of IPython's own that the traceback of
// a SyntaxError raised while a cell ran shows (run_code's exec) the
// worker writes from its place too, and the frames a script magic's
// CalledProcessError shows from theirs (IPython 8.5's lines, as a
// kernel's traceback shows them: stack_data's pieces around the line).

// place is a line of IPython's source that warns or shows in a traceback.
type place struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// ipythonPlaces are the places of one IPython version.
type ipythonPlaces struct {
	// Exit: InteractiveShell.run_code (IPython/core/interactiveshell.py),
	// on a SystemExit, calls warn("To exit: use 'exit', 'quit', or
	// Ctrl-D.", stacklevel=1). labrun shows it (exitWarned), not the
	// worker.
	Exit place `json:"-"`
	// HTMLIframe: HTML.__init__ (IPython/core/display.py), given data
	// that starts with "<iframe " and ends with "</iframe>", calls
	// warnings.warn("Consider using IPython.display.IFrame instead"). nil
	// where the version does not warn.
	HTMLIframe *place `json:"html_iframe,omitempty"`
	// RunCode: InteractiveShell.run_code's exec(code_obj,
	// self.user_global_ns, self.user_ns), the outermost frame IPython
	// shows of a SyntaxError raised while a cell ran (showtraceback calls
	// showsyntaxerror with running_compiled_code, whose list of frames is
	// traceback.extract_tb of the whole traceback). The worker writes it.
	RunCode place `json:"run_code"`
	// CellMagic, NamedScript and ScriptRaise are the frames of IPython's
	// own that a script magic's CalledProcessError shows under the cell's
	// (ScriptMagics.shebang raises it for a script's exit status other
	// than 0): InteractiveShell.run_cell_magic's call of the magic, the
	// call of shebang by the magic that %%bash and %%sh are
	// (_make_script_magic's named_script_magic; %%script is shebang
	// itself), and shebang's raise. nil where labrun does not have that
	// version's source to show (the worker shows the cell's frame alone).
	CellMagic   *frame `json:"cell_magic,omitempty"`
	NamedScript *frame `json:"named_script,omitempty"`
	ScriptRaise *frame `json:"script_raise,omitempty"`
}

// frame is a frame of IPython's own as its traceback shows it: the
// place of its line, the function's qualified name and arguments as
// ultratb writes them, and the source lines shown around the line
// (stack_data's pieces, dedented as it dedents them), the first being
// line First.
type frame struct {
	place
	Name   string   `json:"name"`
	First  int      `json:"first"`
	Source []string `json:"source"`
}

// ipythonDir is where Debian's python3-ipython installs IPython (check's
// normalizers mask another install's path).
const ipythonDir = "/usr/lib/python3/dist-packages/IPython/"

// placesOf are the places by IPython version, each read in that version's
// source. IPython 8: Debian bookworm's python3-ipython 8.5.0. IPython 7:
// Debian bullseye's python3-ipython 7.20.0 (InteractiveShell.run_code's
// warn is at interactiveshell.py:3435 there, its exec at 3427); the course's own 7.x, older
// (its notebooks name Python 3.5.2, which IPython 7.10 and later refuse,
// and 3.8.2), left no "To exit" line in its recordings to read a line from.
// HTML given an <iframe> does not warn under "7", as the course's
// recordings show (sem09-low-level-io's HTML('<iframe ...>') shows none):
// the warning came within 7.x, after the releases they were recorded with
// (7.20's HTML.__init__ has it, at display.py:717). The script magic's
// frames are 8.5's (interactiveshell.py 2360-2363, magics/script.py
// 151-153 and 300-305); labrun has no 7 source to take 7's from.
var placesOf = map[string]ipythonPlaces{
	config.IPython8: {
		Exit:       place{ipythonDir + "core/interactiveshell.py", 3386},
		HTMLIframe: &place{ipythonDir + "core/display.py", 419},
		RunCode:    place{ipythonDir + "core/interactiveshell.py", 3378},
		CellMagic: &frame{place{ipythonDir + "core/interactiveshell.py", 2362},
			"InteractiveShell.run_cell_magic(self, magic_name, line, cell)", 2360, []string{
				"with self.builtin_trap:",
				"    args = (magic_arg_s, cell)",
				"    result = fn(*args, **kwargs)",
				"return result",
			}},
		NamedScript: &frame{place{ipythonDir + "core/magics/script.py", 153},
			"ScriptMagics._make_script_magic.<locals>.named_script_magic(line, cell)", 151, []string{
				"else:",
				"    line = script",
				"return self.shebang(line, cell)",
			}},
		ScriptRaise: &frame{place{ipythonDir + "core/magics/script.py", 305},
			"ScriptMagics.shebang(self, line, cell)", 300, []string{
				"if args.raise_error and p.returncode != 0:",
				"    # If we get here and p.returncode is still None, we must have",
				"    # killed it but not yet seen its return code. We don't wait for it,",
				"    # in case it's stuck in uninterruptible sleep. -9 = SIGKILL",
				"    rc = p.returncode or -9",
				"    raise CalledProcessError(rc, cell)",
			}},
	},
	config.IPython7: {
		Exit:    place{ipythonDir + "core/interactiveshell.py", 3435},
		RunCode: place{ipythonDir + "core/interactiveshell.py", 3427},
	},
}

// exitMessage and exitSource are the "To exit" warning's text and the
// source line Python's warnings module shows under it (the same in
// IPython 7 and 8).
const (
	exitMessage = "To exit: use 'exit', 'quit', or Ctrl-D."
	exitSource  = `warn("To exit: use 'exit', 'quit', or Ctrl-D.", stacklevel=1)`
)

// exitWarningText is the "To exit" warning as Python's
// warnings.formatwarning writes it: "FILE:LINE: UserWarning: MESSAGE",
// then the source line, indented.
func exitWarningText(ipython string) string {
	w := placesOf[ipythonOr8(ipython)].Exit
	return fmt.Sprintf("%s:%d: UserWarning: %s\n  %s\n", w.File, w.Line, exitMessage, exitSource)
}

// ipythonOr8 is the IPython version v names, "" being the default.
func ipythonOr8(v string) string {
	if _, ok := placesOf[v]; ok {
		return v
	}
	return config.IPython8
}

// workerArgs are the worker's command-line arguments (protocol.go):
// SHOWCAP, the IPython version, and its places as JSON.
func workerArgs(showCap int, ipython string) []string {
	v := ipythonOr8(ipython)
	places, err := json.Marshal(placesOf[v])
	if err != nil {
		panic(err) // a struct of strings and ints always encodes
	}
	return []string{strconv.Itoa(showCap), v, string(places)}
}

// exitWarned is the "To exit" warning a SystemExit shows, of a Python
// cell or of a magic's argparse: its text the first time in the run, ""
// after, as Python's warnings module shows a warning once per place (the
// "default" action) and IPython warns from one place, run_code's, for
// both (a Jupyter kernel running IPython 8.5 shows it after the first of a
// magic's argparse exit and two sys.exit cells, and not after the others).
func (r *run) exitWarned(ipython string) string {
	if r.exitShown {
		return ""
	}
	r.exitShown = true
	return exitWarningText(ipython)
}
