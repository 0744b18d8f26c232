// Package proc is labrun's process layer. It knows nothing of lessons:
// it starts programs, bounds them, watches them and ends them, for any
// number of runs at once in one process.
//
// # What it offers
//
// A Session is one run's ownership of processes. Session.Start starts an
// exec.Cmd through the gate (gate.go, and in C gate.c with gate.h:
// labrun's own binary re-executed, which follows the plan labrun worked
// out, gateplan.go: it puts itself under the run's resource limits
// (rlimit.go), in the run's pids cgroup (cgroup.go) and, with the
// sandbox, in the run's network namespace (netns.go, kept by a holder
// process, holder.go), its private /tmp (tmpns.go, a mount namespace
// the same holder keeps) and its pid namespace (pidns.go, of which the
// holder becomes process 1: the run's init, pidinit.c) with writes
// confined by Landlock (landlock.go), then executes the program); Session.StartStep starts a foreground step
// with a pty (ptymaster.go) or pipes (step.go) whose output goes to a
// bounded Sink (sink.go); Step.RunJob (job.go) runs one job at a time
// in a long-lived step (a shell reading commands from a FIFO), each job
// supervised on its own, its output cut at the mark the step prints after
// it (Sink.Watch). One Supervisor (supervise.go), modelled on
// os/exec's Cancel and WaitDelay, stops whatever will not end: Interrupt
// (Ctrl-C) on a deadline, on stuck or on cancel, Kill after a grace,
// CloseIO after KillWait; Step.Wait uses it, and so does labrun's runner
// for Python cells and background steps. How a process ended is an Exit
// (exit.go), why it was interrupted an Interruption. A Feeder (feeder.go)
// writes to a step's stdin without ever blocking labrun.
// Session.StuckCheck (stuck.go, with the per-architecture tables in
// stuck_*.go and the alarm rule in alarm.go, which says what it leaves
// uncertain) tells whether a step can never progress, from /proc
// (procfs.go) and, as root, the alarm trace (alarmtrace.go). Probe
// (probe.go) tries a run's limits on a trivial program. Session.Sweep
// (sweep.go) kills whatever is left of a run; Session.Close sweeps and
// removes the cgroup. Reap
// (reaper.go) makes a process the reaper of its children, and Run
// (run.go) runs a helper program in such a process. A RunDir (rundir.go)
// is a run's own dir in the temp dir, locked for the run's whole life and
// named with the run's tag (NewTag), which is also its Session's id
// (Config.Tag); CleanStale (stale.go) cleans up after runs whose labrun
// was killed. Every timing is in timings.go.
//
// A Session is where a run's kernel objects belong too: its cgroup is
// made in NewSession, its network, mount and pid namespaces at its first
// sandboxed step (or at Protections); the gate joins them, and Close
// releases them.
//
// # Invariants
//
//   - The gate's entry is explicit: every program that starts processes
//     through a Session calls MaybeGate first thing in main (or TestMain).
//   - Process-wide, once, by opting in: a program that starts processes
//     through a Session calls Reap in main (or TestMain), after MaybeGate;
//     NewSession panics in a process that did not. The reaper is then the
//     process's only caller of wait4; it makes the process a child
//     subreaper so that every orphan comes back to it, and hands each
//     watched pid's status to one channel. Nothing else in the process may
//     wait for children: a helper program runs with Run, never with
//     exec.Cmd's Wait, Run, Output or CombinedOutput; TestReaperRule
//     checks the source of every package such a process links. A process
//     that does not reap (a test binary that runs labrun as a child) waits
//     for its children as os/exec does.
//   - Process-wide, shared: the alarm trace (alarmtrace.go), one tracing
//     instance of tracefs made at the first process a Session starts and
//     removed when the last Session closes (or at KillAll); where labrun
//     mounts tracefs itself, the mount is in a namespace of one thread,
//     which ends with it.
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
//     that calls Wait, once (a second Wait returns ErrWaited), or RunJob,
//     one job at a time and never beside Wait (a step that ended during a
//     job runs no further one: ErrWaited). A Session's
//     fields are set at NewSession and read-only after, but for the exempt
//     set, the closed flag, the network namespace and its start under way,
//     and the OnKilled functions, under its mutex, which nothing holds
//     while it waits for a process.
//   - A private /tmp keeps every path: under it, each folder labrun gives a
//     step (the work dir, the run dir with TMPDIR and the worker's files)
//     is at the same path inside as outside, bound back by the holder
//     before its folder covers /tmp; the holder's mounts are private
//     (none reaches the machine's namespace), made by the holder only,
//     and a gate joins them after the user and network namespaces, then
//     goes back to its folder by path. Where the kernel refuses, no gate
//     joins and Protections says so: a refusal is reported, never fatal.
//   - A run's pid namespace goes with its private /tmp, whose mount
//     namespace holds its /proc (none without it, nor where the kernel
//     refuses the namespace or the procfs: Protections says so): every
//     process a sandboxed Session starts is in it, the Python worker,
//     background steps and console shells as every step, so that a step
//     sees and signals the others. Each is still labrun's child: the gate
//     clones it with CLONE_PARENT and ends, and its pid as labrun knows it
//     (Process.Pid, what labrun signals and reads in its own /proc) is
//     the machine's; what a lesson is shown is Process.SeenPid. Orphans
//     there go to the run's init, process 1, which reaps them, never to
//     labrun; the init is one thread, so that the run's pids are the same
//     each run.
//   - Nothing outlives the run: every process is in a process group of its
//     own and carries the marker; Close (and KillAll, on a second Ctrl-C)
//     sweeps until none is left. Under a pid namespace the kernel also
//     kills whatever is left in it when the holder, its init, ends (the
//     sweep, which kills the marked holder too, is as it is). What a run
//     wrote to its private /tmp is in its run dir, and goes with it. The
//     jobs of a long-lived step are processes of the step (in its group,
//     or in groups of their own under the shell's job control), in the
//     cgroup and marked as every other; what a job leaves in the
//     background lives on until that sweep.
//   - A supervisor watches a job, never a step between its jobs: a shell
//     waiting for its next command is never interrupted, timed out nor
//     called stuck; a job's escalation stops the job, and the step only
//     when the job is the step itself (job.go).
//   - Cleanup of other runs fails closed: a run is alive while its run
//     dir's lock is held (the kernel drops it when labrun ends, however it
//     ends), and CleanStale touches a run's dir, cgroup and processes only
//     holding that lock itself, or, where the run left no dir, on positive
//     evidence that its labrun is gone (stale.go); an error is never
//     evidence.
package proc
