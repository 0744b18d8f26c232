package runner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/lessons"
)

// TestSettingsOf: each level puts what it sets over the levels below it
// (labrun's defaults, the course's labrun.toml, the lesson's own
// notebook's set-up cell, the lesson's set-up cell, its directives, the
// command line's flags), field by field and limit by limit; what a level
// leaves unset comes from below.
func TestSettingsOf(t *testing.T) {
	def := limits.Default()
	with := func(l limits.Limits, f func(*limits.Limits)) limits.Limits {
		f(&l)
		return l
	}
	course := &config.Config{Timeout: 20 * time.Second, Magics: lessons.Magics2019, IPython: config.IPython7,
		Limits: limits.Limits{CPUSeconds: 60, FileSize: 1 << 20}}
	for _, tc := range []struct {
		name   string
		lesson lessons.Lesson
		opts   Options
		want   Settings
	}{{
		name: "defaults",
		want: Settings{Timeout: DefaultTimeout, Magics: lessons.MagicsCurrent, IPython: config.IPython8, Limits: def},
	}, {
		name: "a caller's default timeout, no flag",
		opts: Options{Timeout: 7 * time.Second},
		want: Settings{Timeout: 7 * time.Second, Magics: lessons.MagicsCurrent, IPython: config.IPython8, Limits: def},
	}, {
		name: "the course over the defaults",
		opts: Options{Timeout: 7 * time.Second, Course: course},
		want: Settings{Timeout: 20 * time.Second, Magics: lessons.Magics2019, IPython: config.IPython7,
			Limits: with(def, func(l *limits.Limits) { l.CPUSeconds, l.FileSize = 60, 1<<20 })},
	}, {
		name:   "the lesson over the course",
		lesson: lessons.Lesson{Timeout: 5 * time.Second, Magics: lessons.MagicsCurrent, Limits: limits.Limits{CPUSeconds: 30, Processes: 64}, LimitsLine: 3},
		opts:   Options{Course: course},
		want: Settings{Timeout: 5 * time.Second, Magics: lessons.MagicsCurrent, IPython: config.IPython7,
			Limits: with(def, func(l *limits.Limits) { l.CPUSeconds, l.FileSize, l.Processes = 30, 1<<20, 64 })},
	}, {
		name:   "the lesson leaves the course's magics",
		lesson: lessons.Lesson{Timeout: 5 * time.Second},
		opts:   Options{Course: course},
		want: Settings{Timeout: 5 * time.Second, Magics: lessons.Magics2019, IPython: config.IPython7,
			Limits: with(def, func(l *limits.Limits) { l.CPUSeconds, l.FileSize = 60, 1<<20 })},
	}, {
		name:   "flags over the lesson and the course",
		lesson: lessons.Lesson{Timeout: 5 * time.Second, Limits: limits.Limits{CPUSeconds: 30, Processes: 64}, LimitsLine: 3},
		opts:   Options{Timeout: 3 * time.Second, TimeoutSet: true, Limits: limits.Limits{CPUSeconds: 5}, Course: course},
		want: Settings{Timeout: 3 * time.Second, Magics: lessons.Magics2019, IPython: config.IPython7,
			Limits: with(def, func(l *limits.Limits) { l.CPUSeconds, l.FileSize, l.Processes = 5, 1<<20, 64 })},
	}, {
		name: "the lesson's notebook over the course",
		opts: Options{Course: course, NotebookMagics: lessons.MagicsCurrent},
		want: Settings{Timeout: 20 * time.Second, Magics: lessons.MagicsCurrent, IPython: config.IPython7,
			Limits: with(def, func(l *limits.Limits) { l.CPUSeconds, l.FileSize = 60, 1<<20 })},
	}, {
		name:   "the lesson's set-up cell over its notebook",
		lesson: lessons.Lesson{SetupMagics: lessons.Magics2019},
		opts:   Options{NotebookMagics: lessons.MagicsCurrent},
		want:   Settings{Timeout: DefaultTimeout, Magics: lessons.Magics2019, IPython: config.IPython8, Limits: def},
	}, {
		name:   "the lesson's directive over its set-up cell",
		lesson: lessons.Lesson{Magics: lessons.MagicsCurrent, SetupMagics: lessons.Magics2019},
		opts:   Options{NotebookMagics: lessons.Magics2019, Course: &config.Config{Magics: lessons.Magics2019}},
		want:   Settings{Timeout: DefaultTimeout, Magics: lessons.MagicsCurrent, IPython: config.IPython8, Limits: def},
	}, {
		name:   "a timeout not asked for loses to the lesson",
		lesson: lessons.Lesson{Timeout: 5 * time.Second},
		opts:   Options{Timeout: 3 * time.Second},
		want:   Settings{Timeout: 5 * time.Second, Magics: lessons.MagicsCurrent, IPython: config.IPython8, Limits: def},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if err := opts.Validate(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, SettingsOf(&tc.lesson, opts)); diff != "" {
				t.Errorf("SettingsOf (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOwnLimits: any level above labrun's defaults that sets a limit
// makes the run try its limits before the first step.
func TestOwnLimits(t *testing.T) {
	cpu := limits.Limits{CPUSeconds: 1}
	for _, tc := range []struct {
		name   string
		lesson lessons.Lesson
		opts   Options
		want   bool
	}{
		{"none", lessons.Lesson{}, Options{}, false},
		{"a course without limits", lessons.Lesson{}, Options{Course: &config.Config{Magics: lessons.Magics2019}}, false},
		{"the course's", lessons.Lesson{}, Options{Course: &config.Config{Limits: cpu}}, true},
		{"the lesson's", lessons.Lesson{Limits: cpu, LimitsLine: 2}, Options{}, true},
		{"the flags'", lessons.Lesson{}, Options{Limits: cpu}, true},
	} {
		if got := ownLimits(&tc.lesson, tc.opts); got != tc.want {
			t.Errorf("%s: ownLimits = %v, want %v", tc.name, got, tc.want)
		}
	}
}
