package render

import (
	"syscall"
	"testing"
	"time"

	"github.com/labrun/labrun/transcript"
)

// TestOutcomeWords: typed outcomes read as the transcript and the terminal
// say them.
func TestOutcomeWords(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{transcript.Exit{Code: 3}.String(), "3"},
		{transcript.Exit{Code: 139, Signal: syscall.SIGSEGV}.String(), "139 (SIGSEGV)"},
		{InterruptionWords(&transcript.Interruption{Cause: transcript.Timeout, After: 2 * time.Second}), "interrupted after 2.0s: timeout"},
		{InterruptionWords(&transcript.Interruption{Cause: transcript.Stuck, Where: "pipe_read", After: 400 * time.Millisecond}),
			"interrupted after 0.4s: stuck: blocked in pipe_read"},
		{InterruptionWords(&transcript.Interruption{Cause: transcript.Cancelled, After: time.Second}), "interrupted after 1.0s: labrun was interrupted"},
		{transcript.Failed.String(), "error"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
