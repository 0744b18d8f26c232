package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/labrun/labrun/check"
)

// LessonResult is what an earlier check's report says of a lesson: how
// long its check took and whether it failed. --failed-from reruns the
// lessons that failed, --durations balances shards by the times.
type LessonResult struct {
	// Path is the lesson as the report names it.
	Path string
	// Time is the lesson's check's wall time.
	Time time.Duration
	// Failed: a cell failed, the lesson could not be checked, or its
	// check did not finish (a cell not finished, a lesson started that
	// never ended, a JUnit testsuite without a testcase, a lesson the
	// JSON events say was not checked). A flaky cell
	// (failed, then passed when run again) does not count.
	Failed bool
	// Timed: the report holds the lesson's time, its check having ended
	// (a lesson it says was not checked, or whose end it lacks, took no
	// time there that --durations may count on).
	Timed bool
}

// ReadResults reads a report of "labrun check", JUnit XML (--junit) or
// JSON events (--json), as Merge tells them apart; the results are in
// the order of their lessons' first mention.
func ReadResults(file string) ([]LessonResult, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '<' {
		return junitResults(file, data)
	}
	return jsonResults(file, data)
}

// results gathers lesson results by path, in order of first mention.
type results struct {
	order []string
	by    map[string]*LessonResult
}

func (r *results) get(path string) *LessonResult {
	if r.by == nil {
		r.by = map[string]*LessonResult{}
	}
	l := r.by[path]
	if l == nil {
		l = &LessonResult{Path: path}
		r.by[path] = l
		r.order = append(r.order, path)
	}
	return l
}

func (r *results) list() []LessonResult {
	out := make([]LessonResult, 0, len(r.order))
	for _, p := range r.order {
		out = append(out, *r.by[p])
	}
	return out
}

// junitResults reads a JUnit report: a testsuite per lesson.
func junitResults(file string, data []byte) ([]LessonResult, error) {
	var d JUnitSuites
	if err := xml.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s: not a JUnit report: %w", file, err)
	}
	var r results
	for _, s := range d.Suites {
		l := r.get(s.Name)
		secs, err := strconv.ParseFloat(s.Time, 64)
		if err != nil && s.Time != "" {
			return nil, fmt.Errorf("%s: testsuite %q: time %q: %w", file, s.Name, s.Time, err)
		}
		l.Time += time.Duration(secs * float64(time.Second))
		l.Timed = l.Timed || len(s.Cases) > 0 || s.Tests > 0 // an empty testsuite: not checked
		l.Failed = l.Failed || s.Failures+s.Errors > 0 || len(s.Cases) == 0 || cutShort(s)
	}
	return r.list(), nil
}

// cutShort says whether a JUnit testsuite has a cell that did not finish
// (a <skipped> whose message says a stop of labrun cut it).
func cutShort(s JUnitSuite) bool {
	stopped := check.Reason{Kind: check.StoppedRun}.String()
	for _, c := range s.Cases {
		if c.Skipped != nil && c.Skipped.Message == stopped {
			return true
		}
	}
	return false
}

// jsonResults reads JSON events: a lesson is failed by a failing cell,
// an error, a start without an end, or a lesson-not-checked event (as
// junitResults takes an empty testsuite).
func jsonResults(file string, data []byte) ([]LessonResult, error) {
	var r results
	ended := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxEventBytes)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var ev JSONEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Event == "" || ev.Lesson == "" {
			return nil, fmt.Errorf("%s:%d: not a labrun check event (neither JUnit XML nor JSON events)", file, n)
		}
		l := r.get(ev.Lesson)
		switch ev.Event {
		case EventCell:
			l.Failed = l.Failed || ev.Verdict == check.Fail.String() || ev.Verdict == check.NotFinished.String()
		case EventLessonNotChecked:
			ended[ev.Lesson] = true
			l.Failed = true
		case EventLessonEnd:
			ended[ev.Lesson] = true
			l.Failed = l.Failed || ev.Error != "" || (ev.Failed != nil && *ev.Failed > 0) || (ev.Interrupted != nil && *ev.Interrupted > 0)
			if ev.Time != nil {
				l.Time += time.Duration(*ev.Time * float64(time.Second))
				l.Timed = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := r.list()
	for i := range out {
		out[i].Failed = out[i].Failed || !ended[out[i].Path]
	}
	return out, nil
}

// FailedPaths are the paths of the lessons that failed.
func FailedPaths(rs []LessonResult) []string {
	var out []string
	for _, r := range rs {
		if r.Failed {
			out = append(out, r.Path)
		}
	}
	sort.Strings(out)
	return out
}
