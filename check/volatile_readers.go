package check

import (
	"regexp"
	"sort"
	"strings"
)

// The readers of the tables in tableFormats whose rows are read field by
// field rather than column by column: ps with any set of columns, free,
// strace -c and ltrace -c, openssl enc -P's report, du's folders, pmap,
// ipcs, vmstat and Python's cProfile. Their headers are in
// volatile_tables.go.

// psColumns are the headers ps prints for its format specifiers (ps(1),
// STANDARD FORMAT SPECIFIERS), with what a masked one becomes; a header
// not here is kept (F, S, STAT, UID, USER, PRI, NI, NLWP, WCHAN, ADDR...).
var psColumns = map[string]string{
	"PID": "<PID>", "PPID": "<PID>", "LWP": "<PID>", "SPID": "<PID>", "TID": "<PID>",
	"TGID": "<PID>", "PGID": "<PID>", "PGRP": "<PID>", "SID": "<PID>", "SESS": "<PID>", "TPGID": "<PID>",
	"C": "<N>", "%CPU": "<N>", "%MEM": "<N>", "CPU": "<N>", "PSR": "<N>",
	"SZ": "<N>", "VSZ": "<N>", "RSS": "<N>", "RSZ": "<N>",
	"TIME": "<T>", "STIME": "<T>", "START": "<T>", "ELAPSED": "<T>",
}

// psKept are the other headers of ps(1) that a ps header may hold.
const psKept = `F|S|STAT|UID|RUID|EUID|GID|USER|RUSER|EUSER|GROUP|PRI|NI|NLWP|WCHAN|ADDR|TTY|TT|CLS|RTPRIO|POL`

// psHeader matches a header of ps: its columns' names, PID among them,
// the command last.
var psHeader = func() *regexp.Regexp {
	var names []string
	for h := range psColumns {
		names = append(names, regexp.QuoteMeta(h))
	}
	sort.Strings(names) // one regexp, whatever the map's order
	any := `(?:` + strings.Join(names, "|") + `|` + psKept + `)\s+`
	return regexp.MustCompile(`^\s*(?:` + any + `)*PID\s+(?:` + any + `)*(?:CMD|COMMAND)$`)
}()

// psPerLine are the headers of the ps formats that Volatile reads line
// by line, without their header (ps aux, ps -ef, ps): their rows are
// left to it.
var psPerLine = map[string]bool{
	"USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND": true,
	"UID PID PPID C STIME TTY TIME CMD":                      true,
	"PID TTY TIME CMD":                                       true,
}

var (
	psDigits = regexp.MustCompile(`^\d+$`)
	pts      = regexp.MustCompile(`^pts/\d+$`)
)

// psTable reads the rows of ps under a header of any columns (ps -l,
// ps -o pid,ppid,stat,cmd, ps -eLf, ps -j): a row's fields are its
// columns but the last, the command, which is the rest of the line. The
// ids, the CPU and memory shares and sizes, and the times are masked, a
// pseudo-terminal's number too; a kernel thread's row ([kthreadd], in
// brackets) is dropped.
func psTable(header string) (string, func(string) (string, bool)) {
	head := strings.Fields(header)
	if psPerLine[strings.Join(head, " ")] {
		return header, func(l string) (string, bool) {
			f := strings.Fields(l)
			return l, len(f) >= len(head) && psDigits.MatchString(f[indexOf(head, "PID")])
		}
	}
	return strings.Join(head, " "), func(l string) (string, bool) {
		f := strings.Fields(l)
		if len(f) < len(head) || !psDigits.MatchString(f[indexOf(head, "PID")]) {
			return "", false
		}
		cmd := strings.Join(f[len(head)-1:], " ")
		if strings.HasPrefix(cmd, "[") && strings.HasSuffix(cmd, "]") {
			return "", true // a kernel thread: dropped
		}
		out := f[:len(head)-1]
		for i, h := range head[:len(head)-1] {
			if m, ok := psColumns[h]; ok {
				out[i] = m
			} else if (h == "TTY" || h == "TT") && pts.MatchString(out[i]) {
				out[i] = "pts/<N>"
			}
		}
		return strings.Join(append(out, cmd), " "), true
	}
}

// indexOf returns where v is in s, or -1.
func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// freeRow is a row of free: Mem:, Swap:, Low:, High:, Total:.
var freeRow = regexp.MustCompile(`^(?:Mem|Swap|Low|High|Total|Comm):$`)

// freeTable reads free's rows: the total is kept, what is used, free,
// shared, cached or available is masked.
func freeTable(header string) (string, func(string) (string, bool)) {
	return strings.Join(strings.Fields(header), " "), func(l string) (string, bool) {
		f := strings.Fields(l)
		if len(f) < 3 || !freeRow.MatchString(f[0]) {
			return "", false
		}
		for i := 2; i < len(f); i++ {
			f[i] = "<N>"
		}
		return strings.Join(f, " "), true
	}
}

// callRow is a row of strace -c's or ltrace -c's summary: % time,
// seconds, usecs/call, calls, (strace's) errors when there were any, the
// syscall or function; callRule is the rule above the rows and the total.
var (
	callRow  = regexp.MustCompile(`^\s*\d+\.\d+\s+\d+\.\d+\s+(?:\d+\s+)?(\d+(?:\s+\d+)?\s+\S+)$`)
	callRule = regexp.MustCompile(`^-+(?: -+)+$`)
)

// callTable reads the summary of strace -c and ltrace -c: the time, the
// seconds and the usecs/call are masked, the calls, the errors and the
// names stay. The rows are sorted by the time spent, so they are
// compared sorted (tableFormat.sorted: between the rules).
func callTable(header string) (string, func(string) (string, bool)) {
	return strings.Join(strings.Fields(header), " "), func(l string) (string, bool) {
		if callRule.MatchString(l) {
			return ruleRow, true
		}
		m := callRow.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		return "<N> <DUR> <DUR> " + strings.Join(strings.Fields(m[1]), " "), true
	}
}

// saltLine masks the salt of openssl enc -P's report, random unless -S
// gave it (and an uninitialized buffer's bytes with -K and no salt);
// the key= and iv = lines under it stay compared. An indented report (a
// program that runs openssl and shows its report indented) keeps its
// indentation.
func saltLine(header string) (string, func(string) (string, bool)) {
	indent := header[:len(header)-len(strings.TrimLeft(header, " \t"))]
	return indent + "salt=<SALT>", noRows
}

// noRows is the reader of a report that is its first line alone: the
// line after it is read as any line.
func noRows(string) (string, bool) { return "", false }

// duRow is a row of du: a size (du -h's with its unit) and a path.
var duRow = regexp.MustCompile(`^\d+(?:[.,]\d+)?[KMGTPEZY]?\t([^\t]+)$`)

// duTable reads the rows of du under a first row whose path has a /
// (a file in the folder du was given): a row's size is masked when its
// path has a / too, or when it is the folder of a path above it (du
// prints a folder's total after what it holds: 10200<TAB>dd under
// 6104<TAB>dd/perf.data). A row of a bare name alone, 12<TAB>apples,
// reads as a count and its name, and stays.
func duTable(header string) (string, func(string) (string, bool)) {
	var seen []string
	mask := func(l string) (string, bool) {
		m := duRow.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		folder := strings.Contains(m[1], "/")
		for _, p := range seen {
			folder = folder || strings.HasPrefix(p, m[1]+"/")
		}
		if !folder {
			return "", false
		}
		seen = append(seen, m[1])
		return "<N>\t" + m[1], true
	}
	h, _ := mask(header)
	return h, mask
}

// pmapRow is a row of pmap, pmap -x (Kbytes, RSS, Dirty) or pmap -d
// (Kbytes, Offset, Device): the address, then the columns, the mode and
// the mapping; pmapKept are its other lines (-x's and -d's header, the
// rule, the totals).
var (
	pmapRow   = regexp.MustCompile(`^[0-9a-f]{16}\s+(\d+K?)(\s+\d+\s+\d+)?\s+([-r][-w][-x][-s][-R]\s.*)$`)
	pmapKept  = regexp.MustCompile(`^\s*total\s+\d+K$|^Address\s+Kbytes\s|^-+(?: -+)+$|^mapped: `)
	pmapTotal = regexp.MustCompile(`^total kB\s+(\d+)\s+\d+\s+\d+$`)
)

// pmapTable reads pmap's report under its first line, "PID:   command":
// the pid, each mapping's address and -x's RSS and Dirty are masked; the
// sizes, modes, offsets, devices and mappings stay.
func pmapTable(header string) (string, func(string) (string, bool)) {
	_, cmd, _ := strings.Cut(header, ":")
	return "<PID>:" + cmd, func(l string) (string, bool) {
		if m := pmapRow.FindStringSubmatch(l); m != nil {
			x := ""
			if m[2] != "" {
				x = " <N> <N>"
			}
			return strings.Join(strings.Fields("<ADDR> "+m[1]+x+" "+m[3]), " "), true
		}
		if m := pmapTotal.FindStringSubmatch(l); m != nil {
			return "total kB " + m[1] + " <N> <N>", true
		}
		return strings.Join(strings.Fields(l), " "), pmapKept.MatchString(l)
	}
}

// ipcsTable reads a table of ipcs (shared memory, semaphores, message
// queues): a row's id is masked (its key is a hex value); the owner, the
// permissions, the sizes and nattch, nsems or messages stay.
func ipcsTable(header string) (string, func(string) (string, bool)) {
	return strings.Join(strings.Fields(header), " "), func(l string) (string, bool) {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], "0x") || !psDigits.MatchString(f[1]) {
			return "", false
		}
		f[1] = "<N>"
		return strings.Join(f, " "), true
	}
}

// vmstatTable reads vmstat's rows under its column header: every value
// is a measurement.
func vmstatTable(header string) (string, func(string) (string, bool)) {
	head := strings.Fields(header)
	return strings.Join(head, " "), func(l string) (string, bool) {
		f := strings.Fields(l)
		if len(f) != len(head) {
			return "", false
		}
		for i, v := range f {
			if !psDigits.MatchString(v) {
				return "", false
			}
			f[i] = "<N>"
		}
		return strings.Join(f, " "), true
	}
}

// profileRow is a row of Python's profile and cProfile report: ncalls
// (recursive/primitive), tottime, percall, cumtime, percall, the function.
var profileRow = regexp.MustCompile(`^\s*(\d+(?:/\d+)?)\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+\s+(\S.*)$`)

// profileTable reads the rows of python -m cProfile: the times are
// masked, the calls and the functions stay; the rows are compared
// sorted, as they come sorted by a time.
func profileTable(header string) (string, func(string) (string, bool)) {
	return strings.Join(strings.Fields(header), " "), func(l string) (string, bool) {
		m := profileRow.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		return m[1] + " <DUR> <DUR> <DUR> <DUR> " + m[2], true
	}
}
