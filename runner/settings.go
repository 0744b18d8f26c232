package runner

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/lessons"
)

// Settings are what several levels may each say of a run: labrun's
// defaults, the course's labrun.toml, the lesson's own notebook, the
// lesson's set-up cell, its directives and the command line's flags. A
// zero field is one its level leaves unset.
type Settings struct {
	// Timeout bounds each cell (a cell's own timeout= wins over it).
	Timeout time.Duration
	// Magics is the version of the course's magics (lessons.Magics*).
	Magics string
	// IPython is the IPython version the course was recorded with
	// (config.IPython*).
	IPython string
	// Limits bound every step, limit by limit: a level sets only the
	// limits that are not zero.
	Limits limits.Limits
}

// over returns s with what upper sets put over it: each field upper
// sets wins, each limit upper sets wins, the rest stays s's.
func (s Settings) over(upper Settings) Settings {
	if upper.Timeout > 0 {
		s.Timeout = upper.Timeout
	}
	if upper.Magics != "" {
		s.Magics = upper.Magics
	}
	if upper.IPython != "" {
		s.IPython = upper.IPython
	}
	s.Limits = s.Limits.Merge(upper.Limits)
	return s
}

// SettingsOf is the one place that says which level of a run's settings
// wins: each level, in this order, puts what it sets over what the ones
// before it set.
//
//  1. labrun's defaults: opts.Timeout (DefaultTimeout unless a caller set
//     it without TimeoutSet), lessons.MagicsCurrent, config.IPython8,
//     limits.Default();
//  2. the course's labrun.toml (opts.Course, when one was found);
//  3. the set-up cell of the lesson's own notebook, the .ipynb beside it
//     whose code cells are the lesson's (opts.NotebookMagics);
//  4. the lesson's own set-up cell (lesson.SetupMagics: the course's
//     one-liner, or the one labrun export generated);
//  5. the lesson's directives (<!-- labrun timeout=5s magics=2019
//     cpu=60 -->);
//  6. the command line's flags: opts.Timeout when opts.TimeoutSet, and
//     opts.Limits (a CI job's --procs 50 holds whatever a lesson says).
//
// A new level is one more entry in the list, at its place. opts is to be
// validated (Options.Validate).
func SettingsOf(lesson *lessons.Lesson, opts Options) Settings {
	course := opts.Course
	if course == nil {
		course = &config.Config{}
	}
	flags := Settings{Limits: opts.Limits}
	if opts.TimeoutSet {
		flags.Timeout = opts.Timeout
	}
	levels := []Settings{
		{Timeout: opts.Timeout, Magics: lessons.MagicsCurrent, IPython: config.IPython8, Limits: limits.Default()},
		{Timeout: course.Timeout, Magics: course.Magics, IPython: course.IPython, Limits: course.Limits},
		{Magics: opts.NotebookMagics},
		{Magics: lesson.SetupMagics},
		{Timeout: lesson.Timeout, Magics: lesson.Magics, Limits: lesson.Limits},
		flags,
	}
	var s Settings
	for _, l := range levels {
		s = s.over(l)
	}
	return s
}

// ownLimits reports whether a level above labrun's defaults sets limits
// (the course, the lesson, the flags): the run then tries them before its
// first step (probeLimits, probeWorker).
func ownLimits(lesson *lessons.Lesson, opts Options) bool {
	return lesson.LimitsLine > 0 || opts.Limits != (limits.Limits{}) || (opts.Course != nil && opts.Course.Limits != (limits.Limits{}))
}

// badLimits says the run's limits leave no room to start prog, naming the
// lesson's directive when it set them (and the command line's flags when
// they did, as they win).
func (r *run) badLimits(prog string, err error) error {
	var where string
	flagLimits := r.opts.Limits
	flags := "the command line's limits (" + flagLimits.String() + ")"
	switch {
	case r.lesson.LimitsLine > 0 && flagLimits != (limits.Limits{}):
		where = fmt.Sprintf("%s:%d: labrun directive: %s, with %s", r.lesson.Name, r.lesson.LimitsLine, r.lesson.Limits, flags)
	case r.lesson.LimitsLine > 0:
		where = fmt.Sprintf("%s:%d: labrun directive: %s", r.lesson.Name, r.lesson.LimitsLine, r.lesson.Limits)
	default:
		where = flags
	}
	return fmt.Errorf("%s: %w: %s cannot start (%s)", where, ErrBadLimits, prog, strings.TrimSpace(err.Error()))
}

// stepEnv is the environment of every step: labrun's own without what
// the course's config unsets, without the variables of a make labrun runs
// under (makeVars), what an IPython kernel set for its children
// (ZMQInteractiveShell.init_environment), TMPDIR pointing to the run's
// own tmp (unless the course sets or unsets it), then the course's locale
// and extra variables (the Session adds its marker).
func stepEnv(course *config.Config, tmp string) []string {
	if course == nil {
		course = &config.Config{}
	}
	env := make([]string, 0, len(os.Environ())+7+len(course.Env))
	drop := map[string]bool{"TERM": true, "CLICOLOR": true, "PAGER": true, "GIT_PAGER": true, "COLUMNS": true, "LINES": true}
	if os.Getenv("MAKELEVEL") != "" {
		for _, k := range makeVars {
			drop[k] = true
		}
	}
	ownTmp := tmp != ""
	for _, k := range course.Unset {
		drop[k] = true
		ownTmp = ownTmp && k != "TMPDIR"
	}
	for _, kv := range course.Env {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
		ownTmp = ownTmp && k != "TMPDIR"
	}
	if ownTmp {
		drop["TMPDIR"] = true
	}
	env = appendWithout(env, os.Environ(), drop)
	env = append(env, "TERM=xterm-color", "CLICOLOR=1", "PAGER=cat", "GIT_PAGER=cat")
	if ownTmp {
		env = append(env, "TMPDIR="+tmp)
	}
	return append(env, course.Env...)
}

// makeVars are what GNU make exports to the commands of its recipes
// (GNU make's manual: "Communicating Options to a Sub-make", "The
// Variable MAKE_TERMOUT"; main.c define_makeflags, and MAKELEVEL, which
// only make sets): its depth, its options and jobserver, its terminal.
// When labrun is such a command (make test, make eval, a course's make
// check; MAKELEVEL is set) they describe that make, not the lesson: a
// lesson's make would count itself a sub-make ("make[2]: Entering
// directory ...") and look for a jobserver on descriptors labrun does not
// pass on ("warning: jobserver unavailable"), where the course's
// recordings, made in a Jupyter kernel started by hand, show a make of
// its own. So they are not the steps'. Without MAKELEVEL a MAKEFLAGS is
// the user's own (a -j in a shell profile) and stays.
var makeVars = []string{"MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKE_TERMOUT", "MAKE_TERMERR"}

// appendWithout appends to out the K=V of env whose K is not in drop.
func appendWithout(out, env []string, drop map[string]bool) []string {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			out = append(out, kv)
		}
	}
	return out
}
