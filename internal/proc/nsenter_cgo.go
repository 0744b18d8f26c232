//go:build cgo

package proc

/*
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

// labrun_nsenter runs before the Go runtime starts any thread, in every
// process of labrun's binary. In a gate whose run shares one network
// namespace (netnsVar names the holder's pid), it joins the holder's user
// namespace (when that is not its own: an unprivileged run) and network
// namespace. setns into a user namespace needs a single-threaded process,
// which only a constructor can be in a Go program; this is how runc's
// nsenter does it.
static int labrun_nsenter_errno;
static int labrun_nsenter_step; // 1: user namespace, 2: network namespace

static int labrun_join(const char *pid, const char *ns, int type) {
	char path[64];
	snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	int rc = setns(fd, type);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

__attribute__((constructor)) static void labrun_nsenter(void) {
	const char *pid = getenv("LABRUN_NETNS_PID");
	if (pid == NULL || *pid == 0 || getenv("LABRUN_GATE_FD") == NULL) return;
	char path[64];
	struct stat mine, theirs;
	snprintf(path, sizeof path, "/proc/%s/ns/user", pid);
	if (stat(path, &theirs) != 0) { labrun_nsenter_errno = errno; labrun_nsenter_step = 1; return; }
	if (stat("/proc/self/ns/user", &mine) == 0 && mine.st_ino != theirs.st_ino &&
	    labrun_join(pid, "user", CLONE_NEWUSER) != 0) {
		labrun_nsenter_errno = errno; labrun_nsenter_step = 1; return;
	}
	if (labrun_join(pid, "net", CLONE_NEWNET) != 0) {
		labrun_nsenter_errno = errno; labrun_nsenter_step = 2; return;
	}
}

static int labrun_nsenter_result(int *step) { *step = labrun_nsenter_step; return labrun_nsenter_errno; }
*/
import "C"

import (
	"fmt"
	"syscall"
)

// sharedNetns reports whether a gate can join its run's network namespace
// in every case: with cgo it can, even unprivileged, through the
// constructor above.
const sharedNetns = true

// joinNetns reports how the constructor's joining of the run's network
// namespace went, in a gate whose run shares one.
func joinNetns(string) error {
	var step C.int
	errno := C.labrun_nsenter_result(&step)
	if errno == 0 {
		return nil
	}
	which := "user"
	if step == 2 {
		which = "network"
	}
	return fmt.Errorf("join the run's %s namespace: %w", which, syscall.Errno(errno))
}
