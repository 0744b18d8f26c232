package runner

import (
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
)

// interruptionOf is the transcript's record of an interruption the
// process layer reports (nil for nil).
func interruptionOf(why *proc.Interruption) *transcript.Interruption {
	if why == nil {
		return nil
	}
	cause := transcript.Timeout
	switch why.Cause {
	case proc.Stuck:
		cause = transcript.Stuck
	case proc.Cancelled:
		cause = transcript.Cancelled
	}
	return &transcript.Interruption{Cause: cause, Where: why.Where, After: why.After}
}
