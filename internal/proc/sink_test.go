package proc

import (
	"testing"

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
