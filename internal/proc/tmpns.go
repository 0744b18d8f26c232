package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Under the sandbox a run's steps see a /tmp of the run's own: a folder
// of its run dir (Config.PrivateTmp), mounted over the machine's /tmp in
// a mount namespace of the run's, which the holder of its network
// namespace (holder.go) makes and keeps, and which every gate joins after
// the network namespace (gate.c). Another run side by side and the
// machine see nothing of what the run writes to /tmp, and it sees
// nothing of theirs; what it wrote goes with its run dir.
//
// Every path labrun gives a step stays where it is: the folders of
// Config.InTmp (the run dir, which holds the work dir, the steps' TMPDIR
// and the worker's files) and the work dir, where they lie beneath /tmp,
// are bound back at their own paths inside the private /tmp before it
// covers the machine's. The mounts are private: none of them reaches the
// machine's namespace, and none of the machine's later mounts reaches the
// run. A gate goes back to its folder by path once it has joined (setns
// puts it at the namespace's root).
//
// Where the kernel refuses (no mount namespace, a mount refused), the
// holder says so, the gates do not join, and the run goes on with the
// machine's /tmp: Protections says the private /tmp is not in force.

// holderTmpArg is the first argument of a holder started to make a
// private /tmp; the tmpPlan follows it (tmpPlan.args).
const holderTmpArg = "private-tmp"

// holderNoTmp begins the line a holder prints before holderReady when it
// could not make the private /tmp; the reason follows.
const holderNoTmp = "no private /tmp: "

// tmpPlan is what a holder mounts, worked out by labrun so that the
// holder only applies it.
type tmpPlan struct {
	// Tmp is the machine's /tmp, symbolic links resolved: where Backing
	// is mounted.
	Tmp string
	// Backing is the run's folder that becomes its /tmp.
	Backing string
	// Binds are the folders bound back at their paths inside Backing,
	// in order.
	Binds []tmpBind
}

// tmpBind binds the folder Src at Dst, a path inside the private /tmp's
// Backing that is Src's own path once Backing covers /tmp.
type tmpBind struct {
	Src, Dst string
}

// machineTmp is the folder the private /tmp covers.
const machineTmp = "/tmp"

// newTmpPlan works out the mounts that make backing the steps' /tmp with
// the folders keep at their own paths. A folder that is not beneath /tmp
// stays where it is anyway; one reached through a symbolic link beneath
// /tmp, or /tmp itself, cannot be kept, and the plan is refused.
func newTmpPlan(backing string, keep []string) (tmpPlan, error) {
	tmp, err := filepath.EvalSymlinks(machineTmp)
	if err != nil {
		return tmpPlan{}, err
	}
	if backing, err = filepath.EvalSymlinks(backing); err != nil {
		return tmpPlan{}, err
	}
	p := tmpPlan{Tmp: tmp, Backing: backing}
	var srcs []string
	for _, k := range keep {
		abs, err := filepath.Abs(k)
		if err != nil {
			return tmpPlan{}, err
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return tmpPlan{}, err
		}
		_, literalIn := beneath(machineTmp, abs)
		_, tmpIn := beneath(tmp, abs)
		if real != abs && (literalIn || tmpIn) {
			return tmpPlan{}, fmt.Errorf("%s is reached through a symbolic link", abs)
		}
		rel, in := beneath(tmp, real)
		switch {
		case !in:
			continue
		case rel == ".":
			return tmpPlan{}, fmt.Errorf("%s is the machine's /tmp itself", abs)
		}
		srcs = append(srcs, real)
	}
	sort.Strings(srcs) // a folder before what lies beneath it
	for _, src := range srcs {
		covered := false
		for _, b := range p.Binds {
			_, in := beneath(b.Src, src)
			covered = covered || in
		}
		if !covered {
			rel, _ := beneath(tmp, src)
			p.Binds = append(p.Binds, tmpBind{Src: src, Dst: filepath.Join(backing, rel)})
		}
	}
	return p, nil
}

// beneath reports whether path is dir or lies beneath it, and its path
// relative to dir.
func beneath(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return rel, true
}

// args is the plan as a holder's arguments (after holderTmpArg).
func (p tmpPlan) args() []string {
	a := []string{holderTmpArg, p.Tmp, p.Backing}
	for _, b := range p.Binds {
		a = append(a, b.Src, b.Dst)
	}
	return a
}

// parseTmpPlan reads a holder's arguments; ok is false when they ask
// for no private /tmp.
func parseTmpPlan(args []string) (p tmpPlan, ok bool, err error) {
	if len(args) == 0 || args[0] != holderTmpArg {
		return tmpPlan{}, false, nil
	}
	if len(args) < 3 || len(args)%2 != 1 {
		return tmpPlan{}, true, errors.New("malformed private /tmp plan")
	}
	p = tmpPlan{Tmp: args[1], Backing: args[2]}
	for i := 3; i < len(args); i += 2 {
		p.Binds = append(p.Binds, tmpBind{Src: args[i], Dst: args[i+1]})
	}
	return p, true, nil
}

// mount applies the plan in the holder's new mount namespace: every
// mount private first (so that none of what follows reaches the
// machine), the folders bound back inside Backing, then Backing over
// /tmp with them.
func (p tmpPlan) mount() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make the mounts private: %w", err)
	}
	for _, b := range p.Binds {
		if err := os.MkdirAll(b.Dst, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(b.Src, b.Dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind %s: %w", b.Src, err)
		}
	}
	if err := unix.Mount(p.Backing, p.Tmp, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("mount %s over %s: %w", p.Backing, p.Tmp, err)
	}
	return nil
}

// holdTmp is the holder's part: it makes the private /tmp its arguments
// ask for, if any, and says so when it cannot; made says it did.
func holdTmp(args []string) (made bool) {
	p, ok, err := parseTmpPlan(args)
	if ok && err == nil {
		err = p.mount()
	}
	if err != nil {
		fmt.Printf("%s%v\n", holderNoTmp, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return ok && err == nil
}

// privateTmp is how far a Session's private /tmp got.
type privateTmp struct {
	wanted  bool   // the Session asked for one (the sandbox, Config.PrivateTmp)
	inForce bool   // the holder made it: the gates join it
	why     string // why it is not in force, when wanted
}

// phrase is Protections' phrase for a Session's private /tmp.
func (t privateTmp) phrase() string {
	if t.inForce {
		return "tmp: a private /tmp for the run, in its run dir: other runs and the machine see nothing of what its steps write there, nor it of theirs"
	}
	return "tmp: NOT private: " + t.why + ": the steps share the machine's /tmp"
}

// tmpPlanOf is the private /tmp plan of the Session's holder, or why it
// has none.
func (s *Session) tmpPlanOf() (tmpPlan, error) {
	if !sharedTmpns {
		return tmpPlan{}, errors.New("a labrun built without cgo cannot join a mount namespace")
	}
	keep := append([]string{s.workDir}, s.cfg.InTmp...)
	p, err := newTmpPlan(s.cfg.PrivateTmp, keep)
	if err != nil {
		return tmpPlan{}, fmt.Errorf("cannot keep the run's folders at their paths: %w", err)
	}
	return p, nil
}
