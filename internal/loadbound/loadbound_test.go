package loadbound

import (
	"testing"
	"time"
)

// measures returns a baseline measure that gives ds in turn, the last
// one from then on.
func measures(ds ...time.Duration) func() time.Duration {
	return func() time.Duration {
		d := ds[0]
		if len(ds) > 1 {
			ds = ds[1:]
		}
		return d
	}
}

// TestBound: the bound is the fixed part plus K baselines; a result past
// it measures the baseline again and counts the larger one; a result
// past both fails.
func TestBound(t *testing.T) {
	b := New(t, "x", time.Second, time.Minute, measures(100*time.Millisecond, 50*time.Millisecond, time.Second))
	if got, want := b.Limit(), time.Second+K*100*time.Millisecond; got != want {
		t.Fatalf("Limit %v, want %v", got, want)
	}
	if !b.Within(t, b.Limit()) {
		t.Errorf("the limit itself is not within the bound")
	}
	// Measured again smaller: the first baseline stays, and the result
	// stays out.
	if b.Within(t, b.Limit()+time.Millisecond) {
		t.Errorf("past the limit with a smaller baseline measured again: within")
	}
	// Measured again larger (1 s): the bound grows to 1 s + K s.
	if !b.Within(t, 2*time.Second) || b.Limit() != time.Second+K*time.Second {
		t.Errorf("a larger baseline measured again did not count: limit %v", b.Limit())
	}
}

// TestAwait: Await returns what comes within the bound, and gives up
// after it (with the baseline measured again once).
func TestAwait(t *testing.T) {
	n := 0
	b := New(t, "x", 50*time.Millisecond, 0, func() time.Duration { n++; return time.Millisecond })
	done := make(chan int, 1)
	done <- 7
	if v, ok := Await(t, b, time.Now(), done); !ok || v != 7 {
		t.Errorf("Await of a value ready: %v %v", v, ok)
	}
	start := time.Now()
	if _, ok := Await(t, b, start, make(chan int)); ok {
		t.Errorf("Await of nothing reported a value")
	}
	if d := time.Since(start); d < b.Limit() {
		t.Errorf("Await gave up after %v, before its %v bound", d, b.Limit())
	}
	if n != 2 {
		t.Errorf("baseline measured %d times, want twice (once more at the bound)", n)
	}
}

// TestSkip: a bound that reaches the regression's duration skips the
// test: it could tell nothing apart.
func TestSkip(t *testing.T) {
	skipped := false
	t.Run("loaded", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		New(t, "x", time.Second, 2*time.Second, measures(time.Second))
		t.Errorf("not skipped")
	})
	if !skipped {
		t.Errorf("a bound past the regression did not skip")
	}
}
