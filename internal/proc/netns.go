package proc

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Under the sandbox every process of a run shares one network namespace
// of the run's own, with only loopback in it: a server a lesson starts in
// the background and the client of a later cell talk to each other, and
// to nothing outside. A holder process (labrun's binary re-executed with
// holderVar set, see MaybeGate) makes the namespace, brings loopback up
// and waits for its stdin to close; every gate of the run joins it before
// its program runs (nsenter_cgo.go). An unprivileged run's holder also
// makes a user namespace that maps the user to itself, which the gates
// join first: the programs run as the user they would have run as, with
// no capability.
const (
	// netnsVar names, in a gate's environment, the pid of the run's
	// holder.
	netnsVar = "LABRUN_NETNS_PID"
	// holderVar marks labrun's binary started as a holder.
	holderVar = "LABRUN_NETNS_HOLDER"
	// holderReady is what a holder prints once loopback is up.
	holderReady = "ready"
)

// netns is a run's network namespace, alive as long as its holder is.
type netns struct {
	pid  int
	hold *os.File // the holder's stdin: closing it ends the holder
	done <-chan unix.WaitStatus
}

// startNetns starts the holder of a new network namespace for the
// Session, and waits until its loopback is up. s.mu is held.
func (s *Session) startNetns() (*netns, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find labrun's own binary: %w", err)
	}
	rs, ws, err := Pipes(2)
	if err != nil {
		return nil, err
	}
	defer CloseAll(rs[1], ws[1])
	cmd := exec.Command(self)
	cmd.Env = s.Env(append(os.Environ(), holderVar+"=1"))
	cmd.Stdin, cmd.Stdout = rs[0], ws[1]
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Cloneflags: syscall.CLONE_NEWNET}
	unprivileged(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		CloseAll(rs[0], ws[0])
		return nil, fmt.Errorf("start the run's network namespace: %w", err)
	}
	rs[0].Close()
	n := &netns{pid: cmd.Process.Pid, hold: ws[0], done: theReaper.watch(cmd.Process.Pid)}
	s.exempt[n.pid] = true // s.mu is held
	ws[1].Close()
	_ = rs[1].SetReadDeadline(time.Now().Add(holderStart))
	line, _ := bufio.NewReader(rs[1]).ReadString('\n')
	if line = strings.TrimSpace(line); line != holderReady {
		n.close()
		if line == "" {
			line = "the holder did not start"
		}
		return nil, fmt.Errorf("start the run's network namespace: %s", line)
	}
	return n, nil
}

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

// close ends the holder (the namespace goes once no process is left in
// it) and collects it.
func (n *netns) close() {
	n.hold.Close()
	_ = unix.Kill(n.pid, unix.SIGKILL)
	<-n.done
}

// hold is the holder's life: loopback up, no capability kept, then wait
// for labrun to close stdin (or to die).
func hold() {
	err := loopbackUp()
	dropAmbient()
	if err != nil {
		fmt.Printf("loopback: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(holderReady)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
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

// sandboxNet gives cmd its network under the sandbox: the run's shared
// namespace, or, where a gate could not join it (an unprivileged labrun
// built without cgo), a namespace of its own.
func (s *Session) sandboxNet(cmd *exec.Cmd) error {
	if !sharedNetns {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWNET
		unprivileged(cmd.SysProcAttr)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("the run is over")
	}
	if s.net == nil {
		n, err := s.startNetns()
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		s.net = n
	}
	cmd.Env = append(cmd.Env, netnsVar+"="+strconv.Itoa(s.net.pid))
	return nil
}

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
