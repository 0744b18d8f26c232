// Package colour decides, in one place, whether labrun's reports are
// coloured, and paints their words by that decision. The decision follows
// no-color.org: an explicit --color=always|never wins over NO_COLOR, which
// wins over the guess from the terminal. cmd/labrun decides (Decide, then
// Use) before anything is written; the writers (check's report and live
// view, render's summary) paint with Green, Red, Yellow, Cyan and Bold.
//
// It wraps github.com/fatih/color, whose colour objects check NO_COLOR
// each on its own when made, past its global switch: every word here is
// painted by an object told the decision itself (EnableColor or
// DisableColor), so that nothing made before or apart from the decision
// overrides it. It imports nothing of labrun.
package colour

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// Mode is the --color flag: auto, always or never (a pflag.Value).
type Mode int

// The modes of --color; the zero Mode is Auto.
const (
	Auto Mode = iota
	Always
	Never
)

var modeNames = [...]string{Auto: "auto", Always: "always", Never: "never"}

// String gives the mode as the flag takes it.
func (m *Mode) String() string { return modeNames[*m] }

// Set reads auto, always or never.
func (m *Mode) Set(s string) error {
	for i, n := range modeNames {
		if s == n {
			*m = Mode(i)
			return nil
		}
	}
	return fmt.Errorf("want auto, always or never")
}

// Type names the flag's value in help ("--color when").
func (m *Mode) Type() string { return "when" }

// Decide says whether to colour: always and never as they say; auto
// colours when NO_COLOR is unset or empty, TERM is not "dumb" and the
// output is a terminal. getenv reads the environment (os.Getenv).
func Decide(m Mode, getenv func(string) string, terminal bool) bool {
	switch m {
	case Always:
		return true
	case Never:
		return false
	}
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && terminal
}

// StdoutIsTerminal is the terminal guess of auto: whether standard
// output is a terminal (the report's stream).
func StdoutIsTerminal() bool {
	return isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd())
}

// on is the decision; until Use it is fatih/color's own guess, which is
// what auto gives.
var on atomic.Bool

func init() { on.Store(Decide(Auto, os.Getenv, StdoutIsTerminal())) }

// Use makes the decision every writer follows, and sets fatih/color's
// global switch to match it for any caller of that package.
func Use(colour bool) {
	on.Store(colour)
	color.NoColor = !colour
}

// On reports the decision.
func On() bool { return on.Load() }

// painter paints with one attribute by the decision.
func painter(a color.Attribute) func(format string, args ...any) string {
	return func(format string, args ...any) string {
		c := color.New(a)
		if on.Load() {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		if len(args) == 0 {
			return c.Sprint(format)
		}
		return c.Sprintf(format, args...)
	}
}

// The painters, as fatih/color's GreenString and the like: a format and
// its arguments (a format alone is printed as it is).
var (
	Green  = painter(color.FgGreen)
	Red    = painter(color.FgRed)
	Yellow = painter(color.FgYellow)
	Cyan   = painter(color.FgCyan)
	Bold   = painter(color.Bold)
)
