//go:build cgo

// The values the C gate (gate.c) shares with labrun's Go side. Each
// define names the Go constant it repeats; gateconst_test.go reads this
// file and fails when one of them differs from the Go constant.

#ifndef LABRUN_GATE_H
#define LABRUN_GATE_H

// The environment variable holding the plan pipe's descriptor (gateVar).
#define LABRUN_GATE_VAR "LABRUN_GATE_FD"
// The environment variable holding the network holder's pid (netnsVar).
#define LABRUN_NETNS_VAR "LABRUN_NETNS_PID"
// The first field of a plan (gatePlanVersion).
#define LABRUN_PLAN_VERSION "labrun-gate-3"
// The environment variable that makes labrun's binary the run's init
// (pidInitVar), the init's name (pidInitName), and what it prints once
// it runs (holderReady).
#define LABRUN_PIDNS_INIT_VAR "LABRUN_PIDNS_INIT"
#define LABRUN_PIDNS_INIT_NAME "labrun-init"
#define LABRUN_HOLDER_READY "ready"
// A plan's true flag (planTrue).
#define LABRUN_PLAN_TRUE "1"
// The exit status of a gate that cannot start its program (gateFailed).
#define LABRUN_GATE_FAILED 127
// What a gate's failure message starts with (gateFailPrefix).
#define LABRUN_GATE_FAIL_PREFIX "labrun: step could not start: "
// The first descriptor of os/exec's ExtraFiles (firstExtraFD).
#define LABRUN_FIRST_EXTRA_FD 3
// Descriptors marked close-on-exec one by one above the plan's pipe
// where close_range is missing (closeWithoutCloseRange).
#define LABRUN_CLOSE_WITHOUT_CLOSE_RANGE 64
// The signals the kernel knows (kernelNSig), and the size of its
// sigset_t (kernelSigsetBytes).
#define LABRUN_KERNEL_NSIG 64
#define LABRUN_KERNEL_SIGSET_BYTES 8
// Landlock's rule type for a path (unix.LANDLOCK_RULE_PATH_BENEATH).
#define LABRUN_LANDLOCK_RULE_PATH_BENEATH 1

#endif
