package transcript

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"golang.org/x/sys/unix"
)

// Annotation is how a cell ended as its marker line records it: the fields of
// the annotation, "cell=3 kind=python status=interrupted exit=130 (SIGINT)
// time=2.01s", then the notes render words, each after " · ". String
// writes it and ParseAnnotation reads it; no other code reads its fields.
type Annotation struct {
	// Cell is the cell's index; Kind its kind.
	Cell int
	Kind lessons.Kind
	// Status says how it ended.
	Status Status
	// Exit is how its last shell step ended; HasExit says it ran any.
	Exit    Exit
	HasExit bool
	// Duration is its wall time; Timed says it is recorded (a skipped
	// cell has none).
	Duration time.Duration
	Timed    bool
	// Notes are render's words on the rest of its outcome (an
	// interruption, a lost worker, ...), for people: they are read back
	// as text only.
	Notes []string
}

// noteSep stands between the annotation's fields and each note.
const noteSep = " · "

// String returns the annotation: the fields and the notes, with every
// "--" broken up ("- -"), as the marker line carries it.
func (e Annotation) String() string {
	s := fmt.Sprintf("cell=%d kind=%s status=%s", e.Cell, e.Kind, e.Status)
	if e.HasExit {
		s += " exit=" + e.Exit.String()
	}
	if e.Timed {
		s += fmt.Sprintf(" time=%.2fs", e.Duration.Seconds())
	}
	for _, n := range e.Notes {
		s += noteSep + noDashes(n)
	}
	return s
}

// Marker returns the line, without its newline, that opens the cell's
// outputs in a labrun transcript.
func (e Annotation) Marker() string { return marker.OpenLine(e.String()) }

// Outcome returns the fields that say how the cell ended: "status=ok
// exit=0", "status=error"; an interrupted cell's is "status=interrupted"
// alone (its exit, SIGINT or SIGKILL after the grace, is not its own).
func (e Annotation) Outcome() string {
	s := "status=" + e.Status.String()
	if e.HasExit && e.Status != Interrupted {
		s += " exit=" + strconv.Itoa(e.Exit.Code)
	}
	return s
}

// SameOutcome reports whether two annotations have the same Outcome.
func (e Annotation) SameOutcome(o Annotation) bool {
	if e.Status != o.Status {
		return false
	}
	return e.Status == Interrupted || e.HasExit == o.HasExit && e.Exit.Code == o.Exit.Code
}

// SameButTime reports whether two annotations are the same but for their times.
func (e Annotation) SameButTime(o Annotation) bool {
	return e.Cell == o.Cell && e.Kind == o.Kind && e.Status == o.Status &&
		e.HasExit == o.HasExit && e.Exit == o.Exit &&
		slices.EqualFunc(e.Notes, o.Notes, func(a, b string) bool { return noDashes(a) == noDashes(b) })
}

// noDashes breaks up every "--" of s, so that it cannot end an HTML
// comment.
func noDashes(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	return s
}

// FieldError says which field of an annotation could not be read.
type FieldError struct {
	// Field is the field's name ("status", "time"); Word what stood
	// there ("" for a field that is missing).
	Field, Word string
	Err         error
}

// Error says which field and why.
func (e *FieldError) Error() string {
	if e.Word == "" {
		return fmt.Sprintf("annotation: no %s field", e.Field)
	}
	return fmt.Sprintf("annotation field %q: %v", e.Word, e.Err)
}

// Unwrap returns why.
func (e *FieldError) Unwrap() error { return e.Err }

// ParseAnnotation reads an annotation (what String writes). A field it
// cannot read, or a missing status, is a *FieldError, the first one; the
// other fields are read all the same, as are the notes.
func ParseAnnotation(annotation string) (Annotation, error) {
	fields, notes, _ := strings.Cut(annotation, noteSep)
	var e Annotation
	if notes != "" {
		e.Notes = strings.Split(notes, noteSep)
	}
	var first error
	hasStatus := false
	words := strings.Fields(fields)
	for i := 0; i < len(words); i++ {
		k, v, _ := strings.Cut(words[i], "=")
		var err error
		switch k {
		case "cell":
			e.Cell, err = strconv.Atoi(v)
		case "kind":
			e.Kind, err = kindNamed(v)
		case "status":
			e.Status, err = statusNamed(v)
			hasStatus = true
		case "exit":
			e.HasExit = true
			e.Exit.Code, err = strconv.Atoi(v)
			if i+1 < len(words) && strings.HasPrefix(words[i+1], "(") {
				i++
				e.Exit.Signal = unix.SignalNum(strings.Trim(words[i], "()"))
			}
		case "time":
			var s float64
			s, err = strconv.ParseFloat(strings.TrimSuffix(v, "s"), 64)
			e.Duration, e.Timed = time.Duration(math.Round(s*float64(time.Second))), err == nil
		default:
			err = errors.New("unknown field")
		}
		if err != nil && first == nil {
			first = &FieldError{Field: k, Word: words[i], Err: err}
		}
	}
	if !hasStatus && first == nil {
		first = &FieldError{Field: "status"}
	}
	return e, first
}

// kindNamed returns the cell kind of that name (lessons.Kind's String).
func kindNamed(name string) (lessons.Kind, error) {
	for k := lessons.Kind(0); !strings.HasPrefix(k.String(), "kind("); k++ {
		if k.String() == name {
			return k, nil
		}
	}
	return 0, fmt.Errorf("no cell kind %q", name)
}

// statusNamed returns the status of that name (Status's String).
func statusNamed(name string) (Status, error) {
	for _, s := range []Status{OK, Failed, Interrupted, Skipped} {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("no status %q", name)
}

// String is how a status reads in an annotation and on the terminal:
// "ok", "error", "interrupted", "skipped".
func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Failed:
		return "error"
	case Interrupted:
		return "interrupted"
	case Skipped:
		return "skipped"
	}
	return "status " + strconv.Itoa(int(s))
}
