// Package proc is labrun's process layer. It knows nothing of lessons:
// it starts programs, bounds them, watches them and ends them, for any
// number of runs at once in one process.
//
// # What it offers
//
// A Session is one run's ownership of processes. Session.Start starts an
// exec.Cmd through the gate (gate.go: labrun's own binary re-executed,
// which puts itself under the run's resource limits (rlimit.go), in the
// run's pids cgroup (cgroup.go) and, with the sandbox, in a new network
// namespace with writes confined by Landlock (landlock.go), then executes
// the program); Session.StartStep starts a foreground step with a pty or
// pipes (step.go) whose output goes to a bounded Sink (sink.go). One
// Supervisor (supervise.go), modelled on os/exec's Cancel and WaitDelay,
// stops whatever will not end: Interrupt (Ctrl-C) on a deadline, on stuck
// or on cancel, Kill after a grace, CloseIO after KillWait; Step.Wait uses
// it, and so does labrun's runner for Python cells and background steps.
// How a process ended is an Exit (exit.go), why it was interrupted an
// Interruption. A Feeder (feeder.go) writes to a step's stdin without ever
// blocking labrun. Session.StuckCheck (stuck.go, with the per-architecture
// tables in stuck_*.go and the alarm rule in alarm.go) tells whether a
// step can never progress, from /proc (procfs.go). Probe (probe.go) tries
// a run's limits on a trivial program. Session.Sweep (sweep.go) kills
// whatever is left of a run; Session.Close sweeps and removes the cgroup.
// Every timing is in timings.go.
//
// A Session is where a run's other kernel objects belong too: a per-run
// network namespace or cgroup would be made in NewSession, joined by the
// gate from its Config, and released in Close.
//
// # Invariants
//
//   - The gate's entry is explicit: every program that starts processes
//     through a Session calls MaybeGate first thing in main (or TestMain).
//   - Process-wide, once: the reaper (reaper.go) is labrun's only caller of
//     wait4; it makes labrun a child subreaper so that every orphan comes
//     back to it, and hands each watched pid's status to one channel.
//     Nothing else in the process may wait for children.
//   - Per Session, never shared: the id (the marker every process carries in
//     MarkerVar), the limits, the gate's configuration, the cgroup, the
//     exempt pids. Two Sessions in one process never see each other's
//     processes: a sweep kills what is marked with its id, what is in its
//     cgroup, and what descends from those.
//   - File descriptors: a Step owns the read ends of its output and closes
//     them when Wait returns; the write ends (and the pty slave) are closed
//     in labrun as soon as the step has started. The stdin of a StepSpec is
//     owned by the goroutine that feeds it, a Feeder's file by the Feeder.
//     Session.Start leaves the caller's files to the caller.
//   - Goroutines: a Step's output readers own nothing but the Sink's writes
//     (the Sink locks); everything else of a Step is owned by the goroutine
//     that calls Wait. A Session's fields are set at NewSession and read-only
//     after, but for the exempt set and the closed flag, under its mutex.
//   - Nothing outlives the run: every process is in a process group of its
//     own and carries the marker; Close (and KillAll, on a second Ctrl-C)
//     sweeps until none is left.
package proc
