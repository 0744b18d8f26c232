package proc

import "time"

// Every timing of the process layer, named once.
const (
	// DefaultGrace is how long an interrupted step may take to end after
	// its Ctrl-C before its group is killed, unless the run sets its own.
	DefaultGrace = 500 * time.Millisecond

	// InterpreterGrace is what an interpreter (the Python worker) gets on
	// top of the grace to turn Ctrl-C into KeyboardInterrupt and end its
	// cell.
	InterpreterGrace = time.Second

	// InterpreterStart bounds an interpreter's start-up (python3 starting
	// and importing what the worker needs).
	InterpreterStart = 10 * time.Second

	// KillWait is how long, after SIGKILL, the supervisor waits for a
	// step's end (its output's EOF) before it closes the output itself:
	// past it, what holds the output open lies outside the step's group.
	KillWait = time.Second

	// PtyDrain is how long a pty step's output may stay quiet, after its
	// program died, before labrun stops reading it, when a process
	// outside the step (a daemon it left) still holds its terminal: only
	// then is there no EOF to wait for.
	PtyDrain = 20 * time.Millisecond

	// ptyDrainMax bounds the last read of a dead step's terminal.
	ptyDrainMax = time.Second

	// ptyCoalesce is how long the reader of a step's terminal pauses
	// after a read that returned less than ptyCoalesceBelow bytes, so
	// that the next read takes more at once. Reading each line as it
	// comes keeps the kernel's pty flush work and the writer waking each
	// other line by line: 30 MB of yes through a pty took 4.3–5.2 s read
	// eagerly (about 500 bytes a read), 3.4–4.9 s with this pause (about
	// 2 KiB a read), alternating runs on the 2-core machine. The delay it
	// adds to any output is below what a transcript can show.
	ptyCoalesce      = 50 * time.Microsecond
	ptyCoalesceBelow = 2048

	// stuckPollMin and stuckPollMax bound the back-off of the stuck
	// checks: the first comes stuckPollMin after the start or the last
	// output, each later one twice as late as the one before, at most
	// stuckPollMax.
	stuckPollMin = 5 * time.Millisecond
	stuckPollMax = 40 * time.Millisecond

	// StuckQuiet is how long a foreground step must have printed nothing
	// before it may be called stuck.
	StuckQuiet = 30 * time.Millisecond

	// BackgroundStuckQuiet is the same for a background step being
	// closed.
	BackgroundStuckQuiet = 30 * time.Millisecond

	// stuckConfirm is how long a step must stay stuck, from the first
	// look, before the second look calls it so.
	stuckConfirm = 20 * time.Millisecond

	// alarmFireSlack is how long after its time an alarm the trace saw
	// armed (alarmtrace.go) still counts as pending: the timer fires and
	// wakes its process a little late on a busy machine, and the look
	// after the alarm rule sees the woken process only once it is woken.
	alarmFireSlack = 50 * time.Millisecond

	// holderStart bounds the start of the sandbox's network namespace
	// holder (netns.go): it only brings loopback up.
	holderStart = 5 * time.Second

	// probeTimeout bounds Probe's trivial program; probeOutput what is
	// kept of its output.
	probeTimeout = 10 * time.Second
	probeOutput  = 4096

	// sweepRounds and sweepPause bound the sweep: kill, pause, look again.
	sweepRounds = 100
	sweepPause  = 10 * time.Millisecond
)
