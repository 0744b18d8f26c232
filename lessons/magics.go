package lessons

import (
	"fmt"
	"strings"
)

// The versions of the course's magics (tools/set_up_magics.ipynb) labrun
// knows: a lesson says which with <!-- labrun magics=2019 --> (or its
// set-up cell shows it: SetupMagics), a course with magics = "2019" in
// its labrun.toml (internal/config reads it and checks it with
// CheckMagics).
const (
	// MagicsCurrent is the course's current set_up_magics: a file cell's
	// comment lines (%// or %#) show as a level-4 heading, %MD lines as
	// Markdown, %run lines as "Run: `CMD`", in the order written.
	MagicsCurrent = "current"
	// Magics2019 is the 2019 set_up_magics the caos_2019-2020 recordings
	// were made with: comment lines are written to the file only.
	Magics2019 = "2019"
)

// CheckMagics refuses a magics version labrun does not know.
func CheckMagics(v string) error {
	if v != MagicsCurrent && v != Magics2019 {
		return fmt.Errorf("magics = %q: known versions are %q and %q", v, MagicsCurrent, Magics2019)
	}
	return nil
}

// GeneratedSetup starts the first line of the set-up cell labrun export
// puts first in a notebook: "# labrun: generated set-up cell
// (magics=2019)". labrun reads it as the lesson's own set-up cell
// (SetupMagics), and labrun import drops it.
const GeneratedSetup = "# labrun: generated set-up cell"

// generatedMagics reads the version a generated set-up cell names on its
// first line, and says whether src is one.
func generatedMagics(src string) (string, bool) {
	first, _, _ := strings.Cut(src, "\n")
	rest, ok := strings.CutPrefix(first, GeneratedSetup+" (magics=")
	if !ok {
		return "", false
	}
	v, ok := strings.CutSuffix(strings.TrimRight(rest, " \t\r"), ")")
	if !ok || CheckMagics(v) != nil {
		return "", false
	}
	return v, true
}
