package proc

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSinkInterject: interjected text lands between what was written
// before and after it, and is not the step's own activity (Changed does
// not tell it).
func TestSinkInterject(t *testing.T) {
	s := NewSink(0)
	s.Write("stdout", []byte("a\n"))
	<-s.Changed()
	s.Interject("stderr", []byte("held\n"))
	select {
	case <-s.Changed():
		t.Error("Interject told Changed")
	default:
	}
	s.Write("stdout", []byte("b\n"))
	want := []Chunk{{"stdout", []byte("a\n")}, {"stderr", []byte("held\n")}, {"stdout", []byte("b\n")}}
	if diff := cmp.Diff(want, s.Chunks()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSinkInterjectCapped: interjected text counts against the cap as
// the step's output does.
func TestSinkInterjectCapped(t *testing.T) {
	s := NewSink(8)
	s.Write("stdout", []byte("1234"))
	s.Interject("stderr", []byte("abcdefgh"))
	if got, want := s.Text(), "1234\n[labrun: 4 bytes of output dropped here; 8 kept]\nefgh"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSinkFeeding: while labrun is still writing a step's stdin the step
// is not quiet (a shell waiting for the script labrun has not yet written
// is not stuck); once the input is written, its quiet counts from then.
func TestSinkFeeding(t *testing.T) {
	s := NewSink(0)
	time.Sleep(20 * time.Millisecond)
	if q := s.QuietFor(); q < 20*time.Millisecond {
		t.Fatalf("quiet %v before any feeding, want at least 20ms", q)
	}
	done := s.Feeding()
	time.Sleep(20 * time.Millisecond)
	if q := s.QuietFor(); q != 0 {
		t.Fatalf("quiet %v while feeding, want 0", q)
	}
	done()
	if q := s.QuietFor(); q >= 20*time.Millisecond {
		t.Fatalf("quiet %v just after the feeding, want it counted from its end", q)
	}
}
