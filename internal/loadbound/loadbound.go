// Package loadbound gives the tests that assert a wall-clock bound ("the
// step ends within its timeout plus grace") a bound that holds on a
// loaded machine and still fails when the behaviour regresses.
//
// A bound is a fixed part — what the code under test promises: a
// timeout, a grace, a sleep the test itself asks for — plus K times a
// baseline the test measures itself, first: the time the same kind of
// work takes when nothing is interrupted or waited for (a trivial step
// run the same way). On an idle machine the baseline is milliseconds and
// the bound is about the promise; on a loaded one every process start
// and wake-up is slower, the baseline with them, and the bound grows in
// proportion. When a result exceeds the bound the baseline is measured
// again (the load may have grown during the test) and the larger one
// counts.
//
// Each bound names the duration the behaviour would take if it regressed
// (a timeout not enforced lets "sleep 30" run for 30 s). A bound that
// reaches it can tell nothing apart, so the test is skipped there, before
// its run, with both durations said: a bound never silently stops
// catching its regression.
package loadbound

import (
	"testing"
	"time"
)

// K is how many baselines a bound allows on top of its fixed part. The
// time past a promise (a deadline seen, a signal sent, a process reaped,
// its output drained, the result passed back) is a few process wake-ups,
// about what a trivial step costs, and the baseline itself varies with
// the load from one moment to the next: four baselines cover both. With
// two CPU hogs beside the runner and proc suites on the shared 2-core
// machine (load average 14–20), the time past the fixed part was at most
// 3.8 baselines (a Python cell's first step, whose worker start varies
// most: 6.01 s against 1.5 s + 4 × 1.18 s), mostly below one.
const K = 4

// MinBaseline is the least baseline a bound counts: a trivial program
// can start and end within a millisecond, while a loaded scheduler can
// keep the goroutine that sees a deadline waiting tens of them.
const MinBaseline = 50 * time.Millisecond

// Bound is a wall-clock bound derived from a baseline.
type Bound struct {
	what     string
	fixed    time.Duration
	regress  time.Duration
	measure  func() time.Duration
	baseline time.Duration
}

// New measures the baseline (measure times the trivial work the same way
// the test times its own; at least MinBaseline counts) and returns the
// bound fixed + K × baseline for
// what, a few words for messages. regressed is how long the behaviour
// would take if it regressed (0: forever); New skips the test when the
// bound reaches it.
func New(t testing.TB, what string, fixed, regressed time.Duration, measure func() time.Duration) *Bound {
	t.Helper()
	b := &Bound{what: what, fixed: fixed, regress: regressed, measure: measure, baseline: max(measure(), MinBaseline)}
	t.Logf("%s: baseline %.2fs, bound %.2fs (%v + %d × baseline)", what, b.baseline.Seconds(), b.Limit().Seconds(), fixed, K)
	if regressed > 0 && b.Limit() >= regressed {
		t.Skipf("%s: the machine is too loaded to tell: the bound %.2fs reaches the %v a regression would take", what, b.Limit().Seconds(), regressed)
	}
	return b
}

// Limit is the bound as measured so far.
func (b *Bound) Limit() time.Duration { return b.fixed + K*b.baseline }

// Within reports whether took is within the bound, measuring the
// baseline again first when it is not (the larger one counts).
func (b *Bound) Within(t testing.TB, took time.Duration) bool {
	t.Helper()
	if took <= b.Limit() {
		return true
	}
	if again := b.measure(); again > b.baseline {
		t.Logf("%s: took %.2fs; baseline measured again: %.2fs", b.what, took.Seconds(), again.Seconds())
		b.baseline = again
	}
	return took <= b.Limit()
}

// Check fails the test, naming the bound and how it was made, when took
// is not within it; why says what exceeding it means.
func (b *Bound) Check(t testing.TB, took time.Duration, why string) {
	t.Helper()
	if b.Within(t, took) {
		t.Logf("%s: took %.2fs, within %.2fs", b.what, took.Seconds(), b.Limit().Seconds())
	} else {
		t.Errorf("%s took %.2fs, more than %.2fs (%v + %d × the %.2fs baseline): %s",
			b.what, took.Seconds(), b.Limit().Seconds(), b.fixed, K, b.baseline.Seconds(), why)
	}
}

// Await waits for done until the bound, counted from start, has passed
// (measuring the baseline again once when it has, and waiting for the
// rest of a larger bound), and reports whether done came within it.
func Await[T any](t testing.TB, b *Bound, start time.Time, done <-chan T) (T, bool) {
	t.Helper()
	for again := false; ; again = true {
		select {
		case v := <-done:
			t.Logf("%s: took %.2fs, within %.2fs", b.what, time.Since(start).Seconds(), b.Limit().Seconds())
			return v, true
		case <-time.After(time.Until(start.Add(b.Limit()))):
		}
		if again || b.Within(t, time.Since(start)) {
			var zero T
			return zero, false
		}
	}
}
