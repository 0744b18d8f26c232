package transcript_test

import (
	"errors"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// TestAnnotationRoundTrip: what String writes, ParseAnnotation reads back as the
// same annotation; the words are the annotation's.
func TestAnnotationRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		e    transcript.Annotation
		want string
	}{
		{transcript.Annotation{Cell: 3, Kind: lessons.Python, Status: transcript.Interrupted,
			Exit: transcript.Exit{Code: 130, Signal: syscall.SIGINT}, HasExit: true,
			Duration: 2010 * time.Millisecond, Timed: true,
			Notes: []string{"interrupted after 0.4s: stuck: blocked in wait_for_partner", "output cut at 4 MiB"}},
			"cell=3 kind=python status=interrupted exit=130 (SIGINT) time=2.01s · interrupted after 0.4s: stuck: blocked in wait_for_partner · output cut at 4 MiB"},
		{transcript.Annotation{Cell: 0, Kind: lessons.Setup, Status: transcript.Skipped,
			Notes: []string{"set-up cell: labrun provides the course's magics itself"}},
			"cell=0 kind=setup status=skipped · set-up cell: labrun provides the course's magics itself"},
		{transcript.Annotation{Cell: 1, Kind: lessons.Script, Status: transcript.OK, Exit: transcript.Exit{Code: 2}, HasExit: true,
			Duration: 20 * time.Millisecond, Timed: true},
			"cell=1 kind=script status=ok exit=2 time=0.02s"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("String:\n got %q\nwant %q", got, tc.want)
		}
		back, err := transcript.ParseAnnotation(tc.want)
		if err != nil || !reflect.DeepEqual(back, tc.e) {
			t.Errorf("ParseAnnotation(%q) = %+v, %v; want %+v", tc.want, back, err, tc.e)
		}
	}
}

// TestAnnotationFields: a field that does not read is a FieldError naming
// it, the other fields read all the same; a note's "--" is broken up.
func TestAnnotationFields(t *testing.T) {
	e, err := transcript.ParseAnnotation("cell=1 kind=python status=error exit=0 time=T")
	var fe *transcript.FieldError
	if !errors.As(err, &fe) || fe.Field != "time" || e.Status != transcript.Failed || !e.HasExit || e.Timed {
		t.Errorf("time=T: %+v, %v", e, err)
	}
	if _, err := transcript.ParseAnnotation("cell=0"); !errors.As(err, &fe) || fe.Field != "status" {
		t.Errorf("no status: %v", err)
	}
	if _, err := transcript.ParseAnnotation("cell=0 status=weird"); !errors.As(err, &fe) || fe.Field != "status" {
		t.Errorf("status=weird: %v", err)
	}
	got := transcript.Annotation{Status: transcript.OK, Notes: []string{"a --- b"}}.Marker()
	if want := "<!-- labrun:out cell=0 kind=python status=ok · a - - - b -->"; got != want {
		t.Errorf("Marker = %q, want %q", got, want)
	}
	a := transcript.Annotation{Status: transcript.Interrupted, Exit: transcript.Exit{Code: 130}, HasExit: true}
	b := transcript.Annotation{Status: transcript.Interrupted, Exit: transcript.Exit{Code: 137}, HasExit: true}
	if !a.SameOutcome(b) || a.Outcome() != "status=interrupted" {
		t.Errorf("an interrupted cell's exit is not its own: %q", a.Outcome())
	}
}
