package proc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tmpRun is a run dir laid out as labrun's runner lays it out, for a
// Session with a private /tmp: the run dir beneath /tmp, the work dir and
// the private /tmp's folder inside it.
type tmpRun struct {
	dir, work, backing string
}

func newTmpRun(t *testing.T) tmpRun {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "labrun-tmpns-test-")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := tmpRun{dir: dir, work: filepath.Join(dir, "lesson", "work"), backing: filepath.Join(dir, "slash-tmp")}
	for _, d := range []string{r.work, r.backing} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// tmpSession is a sandboxed Session of the run with a private /tmp; it
// skips where the machine has no network namespace for the sandbox.
func tmpSession(t *testing.T, r tmpRun) *Session {
	t.Helper()
	if !sharedNetns {
		t.Skip("an unprivileged build without cgo shares no namespace between steps")
	}
	s := NewSession(Config{Sandbox: true, PrivateTmp: r.backing, InTmp: []string{r.dir}}, r.work)
	t.Cleanup(s.Close)
	if _, err := s.runNetns(); err != nil {
		t.Skipf("no network namespace on this machine: %v", err)
	}
	return s
}

// runSh runs script with sh in dir under s and returns its output.
func runSh(t *testing.T, s *Session, dir, script string) string {
	t.Helper()
	st, err := s.StartStep(StepSpec{Path: "/bin/sh", Args: []string{"sh", "-c", script}, Dir: dir,
		Env: os.Environ(), Merge: true, OutputCap: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Wait(context.Background(), Policy{Deadline: time.Now().Add(time.Minute), Grace: DefaultGrace}); err != nil {
		t.Fatal(err)
	}
	return st.Output().Text()
}

// TestPrivateTmp: two Sessions side by side each write /tmp/same-name
// and read back only their own; the machine's /tmp has no such file, and
// a file of the machine's /tmp is out of their sight; the work dir, the
// run dir and a FIFO in /tmp shared by two steps work at their paths;
// Protections says the private /tmp is in force.
func TestPrivateTmp(t *testing.T) {
	if !sharedTmpns {
		t.Skip("a build without cgo has no private /tmp")
	}
	host, err := os.CreateTemp("/tmp", "labrun-tmpns-host-")
	if err != nil {
		t.Skip(err)
	}
	host.Close()
	defer os.Remove(host.Name())
	name := "labrun-tmpns-same-" + NewTag()
	defer os.Remove(filepath.Join("/tmp", name))
	defer os.Remove(filepath.Join("/tmp", name+".fifo"))
	runs := []tmpRun{newTmpRun(t), newTmpRun(t)}
	sess := []*Session{tmpSession(t, runs[0]), tmpSession(t, runs[1])}
	for i, s := range sess {
		if p := strings.Join(s.Protections(), "\n"); !strings.Contains(p, "tmp: a private /tmp for the run") {
			t.Fatalf("run %d: Protections do not name the private /tmp:\n%s", i, p)
		}
		runSh(t, s, runs[i].work, "echo run"+string(rune('0'+i))+" > /tmp/"+name)
	}
	if _, err := os.Stat(filepath.Join("/tmp", name)); err == nil {
		t.Errorf("the machine's /tmp has %s", name)
	}
	for i, s := range sess {
		r := runs[i]
		got := runSh(t, s, r.work, `cat /tmp/`+name+`; pwd; test -e `+host.Name()+` && echo sees-host; `+
			`echo w > here && cat `+r.work+`/here; ls `+r.dir+`; `+
			`mkfifo /tmp/`+name+`.fifo && { echo through-fifo > /tmp/`+name+`.fifo & } && cat /tmp/`+name+`.fifo; wait`)
		want := "run" + string(rune('0'+i)) + "\n" + r.work + "\nw\nlesson\nslash-tmp\nthrough-fifo\n"
		if got != want {
			t.Errorf("run %d printed\n%q\nwant\n%q", i, got, want)
		}
		if b, err := os.ReadFile(filepath.Join(r.backing, name)); err != nil || string(b) != "run"+string(rune('0'+i))+"\n" {
			t.Errorf("run %d's /tmp/%s is not in its run dir: %q, %v", i, name, b, err)
		}
	}
}

// TestPrivateTmpRefused: where the private /tmp cannot be made (here its
// folder is gone before the holder mounts it, as a kernel refusing the
// mount would leave it), Protections says it is not in force and the
// steps run on with the machine's /tmp.
func TestPrivateTmpRefused(t *testing.T) {
	r := newTmpRun(t)
	s := NewSession(Config{Sandbox: true, PrivateTmp: r.backing, InTmp: []string{r.dir}}, r.work)
	defer s.Close()
	if !sharedNetns {
		t.Skip("an unprivileged build without cgo shares no namespace between steps")
	}
	plan, err := s.tmpPlanOf()
	if err == nil {
		// The holder gets a plan whose mount fails: a file where the
		// folder to mount is.
		os.RemoveAll(r.backing)
		if err := os.WriteFile(r.backing, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		n, err := s.startHolder(&plan, privateTmp{wanted: true}, "")
		if err != nil {
			t.Skipf("no network namespace on this machine: %v", err)
		}
		s.mu.Lock()
		s.net = n
		s.mu.Unlock()
	}
	p := strings.Join(s.Protections(), "\n")
	if !strings.Contains(p, "tmp: NOT private: ") || !strings.Contains(p, "the steps share the machine's /tmp") {
		t.Fatalf("Protections do not say the private /tmp is not in force:\n%s", p)
	}
	name := "labrun-tmpns-refused-" + NewTag()
	defer os.Remove(filepath.Join("/tmp", name))
	if got := runSh(t, s, r.work, "echo shared > /tmp/"+name+" && pwd"); got != r.work+"\n" {
		t.Errorf("the step printed %q, want its folder", got)
	}
	if b, err := os.ReadFile(filepath.Join("/tmp", name)); err != nil || string(b) != "shared\n" {
		t.Errorf("the step did not write to the machine's /tmp: %q, %v", b, err)
	}
}

// TestTmpPlan: the folders to keep are bound back at their paths inside
// the private /tmp, a folder beneath another once only, one outside /tmp
// not at all; a folder reached through a link beneath /tmp, and /tmp
// itself, cannot be kept.
func TestTmpPlan(t *testing.T) {
	r := newTmpRun(t)
	tmp, err := filepath.EvalSymlinks("/tmp")
	if err != nil {
		t.Skip(err)
	}
	run, _ := filepath.EvalSymlinks(r.dir)
	p, err := newTmpPlan(r.backing, []string{r.work, r.dir, "/usr", r.dir + "/lesson/"})
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(tmp, run)
	want := []tmpBind{{Src: run, Dst: filepath.Join(run, "slash-tmp", rel)}}
	if p.Tmp != tmp || len(p.Binds) != 1 || p.Binds[0] != want[0] {
		t.Errorf("plan %+v, want /tmp %s and binds %+v", p, tmp, want)
	}
	got, ok, err := parseTmpPlan(p.args())
	if !ok || err != nil || got.Tmp != p.Tmp || got.Backing != p.Backing || len(got.Binds) != 1 || got.Binds[0] != p.Binds[0] {
		t.Errorf("parseTmpPlan(args) = %+v, %v, %v; want %+v", got, ok, err, p)
	}
	link := filepath.Join(r.dir, "link")
	if err := os.Symlink(r.work, link); err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{link, "/tmp"} {
		if _, err := newTmpPlan(r.backing, []string{keep}); err == nil {
			t.Errorf("newTmpPlan keeps %s", keep)
		}
	}
}

// TestPrivateTmpCloneRefused: where the kernel refuses the holder's mount
// namespace (here a clone flag it refuses with it: CLONE_FS), the holder
// starts without one, Protections says why the private /tmp is not in
// force, and the steps run on in the run's network namespace.
func TestPrivateTmpCloneRefused(t *testing.T) {
	if !sharedTmpns {
		t.Skip("a build without cgo has no private /tmp")
	}
	r := newTmpRun(t)
	defer func(f uintptr) { holderTmpClone = f }(holderTmpClone)
	holderTmpClone |= syscall.CLONE_FS
	s := tmpSession(t, r)
	p := strings.Join(s.Protections(), "\n")
	if !strings.Contains(p, "tmp: NOT private: the kernel refused a mount namespace: invalid argument: the steps share the machine's /tmp") {
		t.Fatalf("Protections do not say the private /tmp is not in force:\n%s", p)
	}
	mine, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Skip(err)
	}
	if got := runSh(t, s, r.work, "pwd; readlink /proc/self/ns/net"); got == r.work+"\n"+mine+"\n" || !strings.HasPrefix(got, r.work+"\nnet:[") {
		t.Errorf("the step printed %q: want its folder and a network namespace not labrun's (%s)", got, mine)
	}
}
