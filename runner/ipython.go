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
// prefix names the line of IPython that warned. The worker (worker.py)
// gets the places on its command line (workerArgs) and warns through
// Python's warnings module from there; a magic's argparse exit, shown
// here, words the "To exit" warning as that module formats it.

// place is a line of IPython's source that warns.
type place struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// ipythonPlaces are the places of one IPython version.
type ipythonPlaces struct {
	// Exit: InteractiveShell.run_code (IPython/core/interactiveshell.py),
	// on a SystemExit, calls warn("To exit: use 'exit', 'quit', or
	// Ctrl-D.", stacklevel=1).
	Exit place `json:"exit"`
	// HTMLIframe: HTML.__init__ (IPython/core/display.py), given data
	// that starts with "<iframe " and ends with "</iframe>", calls
	// warnings.warn("Consider using IPython.display.IFrame instead"). nil
	// where the version does not warn.
	HTMLIframe *place `json:"html_iframe,omitempty"`
}

// ipythonDir is where Debian's python3-ipython installs IPython (check's
// normalizers mask another install's path).
const ipythonDir = "/usr/lib/python3/dist-packages/IPython/"

// placesOf are the places by IPython version. IPython 8: Debian bookworm's
// python3-ipython 8.5.0, read in its source. IPython 7: the 7.x releases
// the 2019 lessons were recorded with; no 7.x source is installable on the
// machine labrun was built on, so the "To exit" line is not read from one
// and may be off by some lines. Their HTML did not warn of an <iframe>
// (the warning came within 7.x, after them: the 2019 recordings show an
// HTML('<iframe ...>') without it).
var placesOf = map[string]ipythonPlaces{
	config.IPython8: {
		Exit:       place{ipythonDir + "core/interactiveshell.py", 3386},
		HTMLIframe: &place{ipythonDir + "core/display.py", 419},
	},
	config.IPython7: {
		Exit: place{ipythonDir + "core/interactiveshell.py", 3426},
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

// exitWarned is the "To exit" warning a magic's exit shows: its text the
// first time in the run, "" after, as Python's warnings module shows a
// warning once per place (the "default" action) and IPython warns from one
// place. A SystemExit of a Python cell counts (the worker warned, in its
// own registry); a magic's exit before it does not reach the worker's.
func (r *run) exitWarned(ipython string) string {
	if r.exitShown {
		return ""
	}
	r.exitShown = true
	return exitWarningText(ipython)
}
