package report

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/labrun/labrun/check"
)

// TestShardDurations: with lesson times read back from a JUnit report
// and from JSON events, check.Balance's shards differ in expected time by
// at most the longest lesson, hold every lesson once, and are the same
// for the same inputs; a lesson missing from the report counts the
// median.
func TestShardDurations(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	dir := t.TempDir()
	for round := range 40 {
		n := 2 + round%3
		ls, reps := timedLessons(rng, 3+rng.IntN(25))
		file := filepath.Join(dir, fmt.Sprintf("r%d.xml", round))
		if err := os.WriteFile(file, JUnit(ls, reps, nil).Marshal(), 0o644); err != nil {
			t.Fatal(err)
		}
		if round%2 == 1 { // the same times as JSON events
			file = writeEvents(t, dir, round, ls, reps)
		}
		rs, err := ReadResults(file)
		if err != nil {
			t.Fatal(err)
		}
		times := map[string]time.Duration{}
		for _, r := range rs {
			times[check.PathKey(r.Path)] = r.Time
		}
		plan := check.Balance(ls, n, times)
		var longest time.Duration
		seen := map[string]int{}
		for k, shard := range plan.Shards {
			var sum time.Duration
			for _, l := range shard {
				seen[l.Path]++
				sum += plan.Times[l.Path]
				longest = max(longest, plan.Times[l.Path])
			}
			if sum != plan.Expected[k] {
				t.Errorf("round %d: shard %d/%d expects %v, its lessons sum to %v", round, k+1, n, plan.Expected[k], sum)
			}
		}
		if spread := slices.Max(plan.Expected) - slices.Min(plan.Expected); spread > longest {
			t.Errorf("round %d: shards %v differ by %v, more than the longest lesson (%v)", round, plan.Expected, spread, longest)
		}
		for _, l := range ls {
			if seen[l.Path] != 1 {
				t.Errorf("round %d: %s in %d shards", round, l.Path, seen[l.Path])
			}
			if want := reps[slices.Index(ls, l)].Duration.Round(time.Millisecond); absDiff(plan.Times[l.Path], want) > time.Microsecond {
				t.Errorf("round %d: %s expected %v, the report says %v", round, l.Path, plan.Times[l.Path], want)
			}
		}
		if again := check.Balance(ls, n, times); fmt.Sprint(again) != fmt.Sprint(plan) {
			t.Errorf("round %d: the same inputs gave other shards", round)
		}
	}
	// a lesson not in the report counts the median of the report's times
	ls := []check.Lesson{{Path: "a.md"}, {Path: "b.md"}, {Path: "c.md"}, {Path: "new.md"}}
	times := map[string]time.Duration{check.PathKey("a.md"): 1 * time.Second, check.PathKey("b.md"): 5 * time.Second, check.PathKey("c.md"): 9 * time.Second}
	plan := check.Balance(ls, 2, times)
	if plan.Times["new.md"] != 5*time.Second {
		t.Errorf("new.md expected %v, want the median 5s", plan.Times["new.md"])
	}
	if fmt.Sprint(plan.Shards) != "[[{a.md  0} {c.md  0}] [{b.md  0} {new.md  0}]]" || fmt.Sprint(plan.Expected) != "[10s 10s]" {
		t.Errorf("shards %v, expected %v", plan.Shards, plan.Expected)
	}
}

// timedLessons makes n lessons with reports of random durations (a few
// long ones among short ones, as a course has).
func timedLessons(rng *rand.Rand, n int) ([]check.Lesson, []*check.Report) {
	var ls []check.Lesson
	var reps []*check.Report
	for i := range n {
		l := check.Lesson{Path: fmt.Sprintf("course/l%02d/README.md", i)}
		d := time.Duration(rng.IntN(3000)) * time.Millisecond
		if rng.IntN(5) == 0 {
			d *= 20
		}
		ls = append(ls, l)
		reps = append(reps, &check.Report{Lesson: l, Duration: d})
	}
	return ls, reps
}

// writeEvents writes the lessons' start and end events to a file.
func writeEvents(t *testing.T, dir string, round int, ls []check.Lesson, reps []*check.Report) string {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("r%d.json", round)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewEvents(f)
	for i, l := range ls {
		r := *reps[i]
		r.Duration = r.Duration.Round(time.Millisecond)
		w.Handle(check.LessonStarted{Lesson: l})
		w.Handle(check.LessonEnded{Index: i, Lesson: l, Report: &r})
	}
	return f.Name()
}

func absDiff(a, b time.Duration) time.Duration {
	if a > b {
		return a - b
	}
	return b - a
}
