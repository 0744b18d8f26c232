// Package limits holds the one Limits type of labrun: the resource limits
// of a run's steps, as a lesson declares them (lessons), as the command
// line sets them (cmd/labrun) and as the process layer applies them
// (internal/proc). It also reads the sizes and counts those places accept
// ("10M", "256"). It imports nothing of labrun.
package limits

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits bound what one step may use. Zero means "no limit" for each.
// They are applied as resource limits to every process of a step (and
// inherited by its children); Processes also bounds the whole run through
// a pids cgroup where the machine offers one, so that a fork bomb hits the
// limit and not the machine.
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
			parts = append(parts, fmt.Sprintf("%s=%d", name, v))
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
// "fsize", "as") from its text; ok is false for a key that names no
// limit.
func (l *Limits) Set(key, value string) (ok bool, err error) {
	switch key {
	case "cpu":
		l.CPUSeconds, err = ParseCount(key, value)
	case "procs":
		l.Processes, err = ParseCount(key, value)
	case "nofile":
		l.OpenFiles, err = ParseCount(key, value)
	case "fsize":
		l.FileSize, err = ParseSize(key, value)
	case "as":
		l.AddressSpace, err = ParseSize(key, value)
	default:
		return false, nil
	}
	return true, err
}

// Keys are the directive keys Set knows, in the order messages list them.
const Keys = "cpu, procs, nofile, fsize, as"

// ParseCount reads a positive whole number; key names it in the error.
func ParseCount(key, v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s=%s: want a positive whole number", key, v)
	}
	return n, nil
}

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
		return 0, fmt.Errorf("%s=%s: want a size such as 512K, 10M or 2G", key, v)
	}
	return n * mult, nil
}

// Size is a size in bytes as a command-line flag: it reads what ParseSize
// reads ("512K", "10M", "2G", or bytes).
type Size uint64

// String gives the size in bytes.
func (s *Size) String() string { return strconv.FormatUint(uint64(*s), 10) }

// Get gives the size in bytes, as a uint64 (flag.Getter).
func (s *Size) Get() any { return uint64(*s) }

// Set reads a size. A zero is read as such (the command line refuses it
// with its own words, as for the other limits).
func (s *Size) Set(v string) error {
	if v == "0" {
		*s = 0
		return nil
	}
	n, err := ParseSize("size", v)
	if err != nil {
		return errors.New("want a size such as 512K, 10M or 2G")
	}
	*s = Size(n)
	return nil
}
