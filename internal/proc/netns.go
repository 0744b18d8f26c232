package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Under the sandbox every process of a run shares one network namespace
// of the run's own, with only loopback in it: a server a lesson starts in
// the background and the client of a later cell talk to each other, and
// to nothing outside. A holder process (holder.go) makes the namespace,
// brings loopback up and waits for its stdin to close; every gate of the
// run joins it before its program runs (gate.c, or joinNetns in the Go
// gate). An unprivileged run's holder also makes a user namespace that
// maps the user to itself, which the gates join first: the programs run
// as the user they would have run as, with no capability.
//
// netnsVar names, in a gate's environment, the pid of the run's holder.
const netnsVar = "LABRUN_NETNS_PID"

// unprivileged adds to attr, when labrun is not root, a new user
// namespace that maps the user to itself, and keeps CAP_NET_ADMIN (in
// that namespace only) across the execve, so that the process can bring
// loopback up.
func unprivileged(attr *syscall.SysProcAttr) {
	if os.Geteuid() == 0 {
		return
	}
	attr.Cloneflags |= syscall.CLONE_NEWUSER
	attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}}
	attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}}
	attr.AmbientCaps = []uintptr{unix.CAP_NET_ADMIN}
}

// dropAmbient clears the ambient capabilities, so that a program executed
// next gets none.
func dropAmbient() {
	_ = unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
}

// loopbackUp brings up "lo" in the (new) network namespace of the process.
func loopbackUp() error {
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(s)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(s, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(s, unix.SIOCSIFFLAGS, ifr)
}

// sandboxJoins are the run's namespaces a sandboxed step's gate joins
// on top of the network namespace.
type sandboxJoins struct {
	tmp bool // the private /tmp (the holder's mount namespace)
	pid bool // the pid namespace (pidns.go)
}

// sandboxNet gives cmd its network under the sandbox: the run's shared
// namespace, or, where a gate could not join it (an unprivileged labrun
// built without cgo), a namespace of its own; and says which other
// namespaces of the run the gate is to join.
func (s *Session) sandboxNet(cmd *exec.Cmd) (sandboxJoins, error) {
	if !sharedNetns {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWNET
		unprivileged(cmd.SysProcAttr)
		return sandboxJoins{}, nil
	}
	n, err := s.runNetns()
	if errors.Is(err, errRunOver) {
		return sandboxJoins{}, err
	} else if err != nil {
		return sandboxJoins{}, fmt.Errorf("sandbox: %w", err)
	}
	cmd.Env = append(cmd.Env, netnsVar+"="+strconv.Itoa(n.pid))
	return sandboxJoins{tmp: n.tmp.inForce, pid: n.pids.inForce}, nil
}

// tmpState is how far the Session's private /tmp got, starting the
// run's namespaces if need be.
func (s *Session) tmpState() privateTmp {
	if !sharedNetns {
		return privateTmp{wanted: true, why: "an unprivileged labrun built without cgo cannot share namespaces between steps"}
	}
	n, err := s.runNetns()
	if err != nil {
		return privateTmp{wanted: true, why: err.Error()}
	}
	return n.tmp
}

// runNetns returns the Session's network namespace, starting it on first
// use. One caller starts it, without holding s.mu while the holder comes
// up; the others wait for that start (s.netStarting) and look again, so
// that a failed start is tried anew by the next step, as before. A
// namespace that comes up after Close is closed at once.
func (s *Session) runNetns() (*netns, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, errRunOver
		}
		if n := s.net; n != nil {
			s.mu.Unlock()
			return n, nil
		}
		if wait := s.netStarting; wait != nil {
			s.mu.Unlock()
			<-wait
			continue
		}
		started := make(chan struct{})
		s.netStarting = started
		s.mu.Unlock()

		n, err := s.startNetns()
		s.mu.Lock()
		s.netStarting = nil
		close(started)
		closed := s.closed
		if err == nil && !closed {
			s.net = n
		}
		s.mu.Unlock()
		if err == nil && closed {
			n.close()
			err = errRunOver
		}
		return n, err
	}
}

// errRunOver says a Session was closed before a process could start.
var errRunOver = errors.New("the run is over")

// enterNet is the gate's part: join the run's namespace, or bring up
// loopback in the step's own one.
func enterNet() error {
	if pid := os.Getenv(netnsVar); pid != "" {
		return joinNetns(pid)
	}
	err := loopbackUp()
	dropAmbient()
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	return nil
}

// joinNetns joins the network namespace of the holder pid on the calling
// (locked) thread, which then executes the step's program: the Go gate's
// way, for root only (the C gate, gate_cgo.go, joins in every case).
func joinNetns(pid string) error {
	fd, err := unix.Open("/proc/"+pid+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("join the run's network namespace: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("join the run's network namespace: %w", err)
	}
	return nil
}
