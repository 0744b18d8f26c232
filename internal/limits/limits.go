// Package limits holds the one Limits type of labrun: the resource limits
// of a run's steps, as a lesson declares them (lessons), as the command
// line sets them (cmd/labrun) and as the process layer applies them
// (internal/proc). It also reads the sizes and counts those places accept
// ("10M", "256"). It imports nothing of labrun.
package limits

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits bound what one step may use. Zero means "no limit" for each (and
// "unset": Merge keeps the lower level's); Unlimited means labrun sets no
// limit even where a lower level (its defaults) would. They are applied
// as resource limits to every process of a step (and inherited by its
// children); Processes also bounds the whole run through a pids cgroup
// where the machine offers one, so that a fork bomb hits the limit and not
// the machine.
type Limits struct {
	// CPUSeconds is the CPU time each process may use (RLIMIT_CPU).
	CPUSeconds uint64 `json:"cpu,omitempty"`
	// AddressSpace is the virtual memory of each process, in bytes
	// (RLIMIT_AS). Off by default: AddressSanitizer reserves terabytes.
	AddressSpace uint64 `json:"as,omitempty"`
	// Processes is how many processes the run may have at once.
	Processes uint64 `json:"procs,omitempty"`
	// FileSize is the largest file a step may write, in bytes (RLIMIT_FSIZE).
	FileSize uint64 `json:"fsize,omitempty"`
	// OpenFiles is how many files a process may hold open (RLIMIT_NOFILE).
	OpenFiles uint64 `json:"nofile,omitempty"`
}

// Unlimited, as the value of CPUSeconds, FileSize or AddressSpace, says
// that labrun sets no such limit: the one labrun inherited stays, and the
// default limit's guard against a runaway is given up (a course whose
// recordings show "ulimit -a" saying unlimited asks for it: "unlimited" in
// labrun.toml, a directive or a flag). Unlike 0 it is set: it overrides a
// lower level. OpenFiles cannot be unlimited: the kernel caps
// RLIMIT_NOFILE (fs.nr_open), so Set refuses it.
const Unlimited = math.MaxUint64

// Set reports whether v is a limit labrun applies: neither 0 (unset) nor
// Unlimited (the inherited one stays).
func Set(v uint64) bool { return v != 0 && v != Unlimited }

// Default returns labrun's limits, generous: a lesson never meets them, a
// runaway does.
func Default() Limits {
	return Limits{
		CPUSeconds: 300,
		Processes:  1024,
		FileSize:   1 << 30,
		OpenFiles:  4096,
	}
}

// Merge returns l with every non-zero field of o put over it.
func (l Limits) Merge(o Limits) Limits {
	if o.CPUSeconds != 0 {
		l.CPUSeconds = o.CPUSeconds
	}
	if o.AddressSpace != 0 {
		l.AddressSpace = o.AddressSpace
	}
	if o.Processes != 0 {
		l.Processes = o.Processes
	}
	if o.FileSize != 0 {
		l.FileSize = o.FileSize
	}
	if o.OpenFiles != 0 {
		l.OpenFiles = o.OpenFiles
	}
	return l
}

// String lists the limits in force as a lesson directive writes them
// ("cpu=60 procs=64"), for messages.
func (l Limits) String() string {
	var parts []string
	add := func(name string, v uint64) {
		if v != 0 {
			parts = append(parts, name+"="+Format(v))
		}
	}
	add("cpu", l.CPUSeconds)
	add("as", l.AddressSpace)
	add("procs", l.Processes)
	add("fsize", l.FileSize)
	add("nofile", l.OpenFiles)
	return strings.Join(parts, " ")
}

// Set sets the limit a directive key names ("cpu", "procs", "nofile",
// "fsize", "as") from its text (Parse); ok is false for a key that names
// no limit.
func (l *Limits) Set(key, value string) (ok bool, err error) {
	field := l.field(key)
	if field == nil {
		return false, nil
	}
	*field, err = Parse(key, value)
	return true, err
}

// field is the limit key names, or nil.
func (l *Limits) field(key string) *uint64 {
	return map[string]*uint64{"cpu": &l.CPUSeconds, "procs": &l.Processes, "nofile": &l.OpenFiles,
		"fsize": &l.FileSize, "as": &l.AddressSpace}[key]
}

// Keys are the directive keys Set knows, in the order messages list them.
const Keys = "cpu, procs, nofile, fsize, as"

// ErrNofileUnlimited refuses nofile=unlimited: the kernel caps
// RLIMIT_NOFILE (at fs.nr_open), so no process has unlimited open files.
var ErrNofileUnlimited = errors.New("the kernel caps open files (RLIMIT_NOFILE cannot be unlimited): give a number such as 4096")

// Parse reads the value of limit key as a directive, labrun.toml or a
// flag writes it: a count (cpu, procs, nofile: ParseCount) or a size
// (fsize, as: ParseSize); "unlimited" gives Unlimited for cpu, fsize and
// as, and is refused for nofile (ErrNofileUnlimited). Its errors read
// "KEY=VALUE: why"; errors.Unwrap gives the why.
func Parse(key, v string) (uint64, error) {
	if v == "unlimited" {
		switch key {
		case "cpu", "fsize", "as":
			return Unlimited, nil
		case "nofile":
			return 0, fmt.Errorf("%s=%s: %w", key, v, ErrNofileUnlimited)
		}
	}
	if key == "fsize" || key == "as" {
		return ParseSize(key, v)
	}
	return ParseCount(key, v)
}

// Format writes a limit's value as Parse reads it: a number, or
// "unlimited".
func Format(v uint64) string {
	if v == Unlimited {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// ParseCount reads a positive whole number; key names it in the error.
func ParseCount(key, v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 || n == Unlimited {
		return 0, fmt.Errorf("%s=%s: %w", key, v, errWantCount)
	}
	return n, nil
}

// The reasons ParseCount and ParseSize give.
var (
	errWantCount = errors.New("want a positive whole number")
	errWantSize  = errors.New("want a size such as 512K, 10M or 2G")
)

// ParseSize reads a size in bytes with an optional K, M or G suffix
// ("512K", "10M", "2G"); key names it in the error.
func ParseSize(key, v string) (uint64, error) {
	mult := uint64(1)
	num := v
	switch {
	case strings.HasSuffix(v, "K"):
		mult, num = 1<<10, v[:len(v)-1]
	case strings.HasSuffix(v, "M"):
		mult, num = 1<<20, v[:len(v)-1]
	case strings.HasSuffix(v, "G"):
		mult, num = 1<<30, v[:len(v)-1]
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n == 0 || n > (1<<63)/mult {
		return 0, fmt.Errorf("%s=%s: %w", key, v, errWantSize)
	}
	return n * mult, nil
}

// Flag is the command-line flag of limit Key (--cpu, --fsize, ...),
// held in *V: it reads what Parse reads ("10M", "unlimited" where the
// limit may be), its errors without the "KEY=VALUE: " prefix (the flag
// package names the flag). A zero is read as such (the command line
// refuses it with its own words).
type Flag struct {
	Key string
	V   *uint64
}

// String gives the value as Parse reads it.
func (f Flag) String() string {
	if f.V == nil {
		return "0"
	}
	return Format(*f.V)
}

// Set reads the flag's value.
func (f Flag) Set(v string) error {
	if v == "0" {
		*f.V = 0
		return nil
	}
	n, err := Parse(f.Key, v)
	if err != nil {
		return errors.Unwrap(err)
	}
	*f.V = n
	return nil
}
