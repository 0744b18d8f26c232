package check

import (
	"regexp"
	"strings"
)

// The volatile values of tools whose output is a table that its header
// line tells how to read (lsof, df), or a report that its first line
// starts (perf stat, time -v): the header starts the table, each line
// after it is a row while the table's reader accepts it, and the first
// line it does not accept ends the table (and is read as any line). The
// columns of such tables are as wide as their widest value, so a row is
// compared with its fields joined by one space, its header too.

// A tableFormat is one tool's table or report.
type tableFormat struct {
	name   string
	doc    string
	header *regexp.Regexp
	// follow, when set, must match the line after the header for the
	// header to start the table (openssl enc -P's salt= line is one
	// only above its key= line).
	follow *regexp.Regexp
	// sorted: the rows are compared sorted, as the tool orders them by
	// a measurement (strace -c's by the time spent).
	sorted bool
	// start returns the header as compared and the reader of the rows
	// under it, which returns a row as compared, or false at the end.
	start  func(header string) (string, func(row string) (string, bool))
	before []string // an example, as the tool printed it
	after  []string // the example, as check compares it
}

// tableFormats are the tables, tried on each line outside a table.
var tableFormats = []tableFormat{
	{
		name:   "lsof",
		doc:    "PID, TID, NODE when a number, DEVICE when not MAJOR,MINOR (a socket's)",
		header: regexp.MustCompile(`^COMMAND\s+PID\s+(?:TID\s+(?:TASKCMD\s+)?)?USER\s+FD\s+TYPE\s+DEVICE\s+(?:SIZE/OFF|SIZE|OFFSET)\s+NODE\s+NAME$`),
		start:  columns{key: "PID", keyRe: regexp.MustCompile(`^\d+$`), right: lsofRight, mask: lsofMask}.start,
		before: []string{
			"COMMAND   PID USER   FD   TYPE  DEVICE SIZE/OFF    NODE NAME",
			"bash     1076 root  cwd    DIR   254,0     4096 5308922 /work/main",
			"python3 12386 root    3u  IPv4 1912920      0t0     TCP localhost:52817 (LISTEN)",
		},
		after: []string{
			"COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME",
			"bash <PID> root cwd DIR 254,0 4096 <N> /work/main",
			"python3 <PID> root 3u IPv4 <N> 0t0 TCP localhost:52817 (LISTEN)",
		},
	},
	{
		name:   "df",
		doc:    "Used, Avail, Use% (-i's IUsed, IFree, IUse%)",
		header: regexp.MustCompile(`^Filesystem\s+(?:Type\s+)?(?:\S+-blocks|Size|Inodes)\s+I?Used\s+(?:Avail|Available|IFree)\s+(?:I?Use%|Capacity)\s+Mounted on$`),
		start:  columns{key: "Mounted", keyRe: regexp.MustCompile(`^/`), right: dfRight, mask: dfMask}.start,
		before: []string{
			"Filesystem     1K-blocks     Used Available Use% Mounted on",
			"/dev/vda       264212084 14761700  80739564  16% /",
		},
		after: []string{
			"Filesystem 1K-blocks Used Available Use% Mounted on",
			"/dev/vda 264212084 <N> <N> <N>% /",
		},
	},
	{
		name:   "perf stat",
		doc:    "each counter's value and rate (K, M, G too) and the seconds elapsed, user, sys, in its report only; the events stay",
		header: regexp.MustCompile(`^\s*Performance counter stats for `),
		start:  perfStat,
		before: []string{
			" Performance counter stats for 'true':",
			"              0.44 msec task-clock                       #    0.374 CPUs utilized",
			"                50      page-faults                      #  114.190 K/sec",
			"                 0      context-switches                 #    0.000 /sec",
			"         1,234,567      cycles                           #    3.100 GHz                         (50.00%)",
			"       0.001171188 seconds time elapsed",
			"       0.001015000 seconds user",
		},
		after: []string{
			"Performance counter stats for 'true':",
			"<N> msec task-clock # <N> CPUs utilized",
			"<N> page-faults # <N> /sec",
			"<N> context-switches # <N> /sec",
			"<N> cycles # <N> GHz (<N>%)",
			"<DUR> seconds time elapsed",
			"<DUR> seconds user",
		},
	},
	{
		name:   "/usr/bin/time -v",
		doc:    "its measured values; Command being timed, Exit status, Page size, Signals delivered stay",
		header: regexp.MustCompile(`^\s*Command being timed: `),
		start:  timeVerbose,
		before: []string{
			"\tCommand being timed: \"true\"",
			"\tUser time (seconds): 0.00",
			"\tMaximum resident set size (kbytes): 976",
			"\tExit status: 0",
		},
		after: []string{
			"\tCommand being timed: \"true\"",
			"\tUser time (seconds): <N>",
			"\tMaximum resident set size (kbytes): <N>",
			"\tExit status: 0",
		},
	},
	{
		name:   "ps with other columns (ps -l, ps -o ..., ps -j, ps -L)",
		doc:    "ids (PID, PPID, LWP, PGID...), C, %CPU, %MEM, SZ, VSZ, RSS, times, pts/N; S, STAT, NI, NLWP, owner, command stay",
		header: psHeader,
		start:  psTable,
		before: []string{
			"F S   UID   PID  PPID  C PRI  NI ADDR SZ WCHAN  TTY          TIME CMD",
			"0 S     0  6113  6111  0  80   0 -  1090 do_wai ?        00:00:00 bash",
		},
		after: []string{
			"F S UID PID PPID C PRI NI ADDR SZ WCHAN TTY TIME CMD",
			"0 S 0 <PID> <PID> <N> 80 0 - <N> do_wai ? <T> bash",
		},
	},
	{
		name:   "free",
		doc:    "each row's values but the total (used, free, shared, buff/cache, available)",
		header: regexp.MustCompile(`^\s+total\s+used\s+free\s+shared\s+(?:buff/cache|buffers\s+cache)\s+available$`),
		start:  freeTable,
		before: []string{
			"               total        used        free      shared  buff/cache   available",
			"Mem:        24683652      465524    22836020        8956     1700360    24218128",
		},
		after: []string{
			"total used free shared buff/cache available",
			"Mem: 24683652 <N> <N> <N> <N> <N>",
		},
	},
	{
		name:   "strace -c, ltrace -c",
		doc:    "% time, seconds, usecs/call; calls, errors, names stay; rows compared sorted (sorted by time)",
		header: regexp.MustCompile(`^% time\s+seconds\s+usecs/call\s+calls\s+(?:errors\s+)?(?:syscall|function)$`),
		sorted: true,
		start:  callTable,
		before: []string{
			"% time     seconds  usecs/call     calls    errors syscall",
			"------ ----------- ----------- --------- --------- ----------------",
			" 29.88    0.001347          18        71           statx",
			" 14.80    0.000667           5       129       129 getxattr",
		},
		after: []string{
			"% time seconds usecs/call calls errors syscall",
			"------",
			"<N> <DUR> <DUR> 129 129 getxattr",
			"<N> <DUR> <DUR> 71 statx",
		},
	},
	{
		name:   "openssl enc -P",
		doc:    "the salt= line above key= (random unless -S; also indented, as a program that shows the report prints it); key= and iv = stay",
		header: regexp.MustCompile(`^\s*salt=[0-9A-F]+$`),
		follow: regexp.MustCompile(`^\s*key=[0-9A-F]+$`),
		start:  saltLine,
		before: []string{
			"salt=39AAFD9493550000",
			"key=00112233445566778899AABBCCDDEEFF",
			"iv =0102030405060708090A0B0C0D0E0F10",
		},
		after: []string{
			"salt=<SALT>",
			"key=00112233445566778899AABBCCDDEEFF",
			"iv =0102030405060708090A0B0C0D0E0F10",
		},
	},
	{
		name:   "du: a folder's total",
		doc:    "a folder's size under the rows of what it holds",
		header: regexp.MustCompile(`^\d+(?:[.,]\d+)?[KMGTPEZY]?\t[^\t]*/[^\t]*$`),
		start:  duTable,
		before: []string{"6096\tdd/perf.data", "10192\tdd"},
		after:  []string{"<N>\tdd/perf.data", "<N>\tdd"},
	},
	{
		name:   "pmap",
		doc:    "the pid, each mapping's address, -x's RSS and Dirty; sizes, modes, mappings stay",
		header: regexp.MustCompile(`^\d+:   \S`),
		follow: regexp.MustCompile(`^(?:[0-9a-f]{16} |Address\s+Kbytes\s)`),
		start:  pmapTable,
		before: []string{"6532:   sleep 3", "00005643f0c7e000      8K r---- sleep", " total             2924K"},
		after:  []string{"<PID>:   sleep 3", "<ADDR> 8K r---- sleep", "total 2924K"},
	},
	{
		name:   "ipcs",
		doc:    "a row's shmid, semid or msqid; owner, perms, sizes, nattch stay",
		header: regexp.MustCompile(`^key\s+(?:shmid|semid|msqid)\s+owner\s+perms\s`),
		start:  ipcsTable,
		before: []string{
			"key        shmid      owner      perms      bytes      nattch     status",
			"0xb38d1c7a 4          root       644        4096       0",
		},
		after: []string{"key shmid owner perms bytes nattch status", "0x<H> <N> root 644 4096 0"},
	},
	{
		name:   "vmstat",
		doc:    "every value of its rows, under its column header",
		header: regexp.MustCompile(`^\s*r\s+b\s+swpd\s+free\s+(?:buff|inact)\s+(?:cache|active)\s+si\s+so\s+bi\s+bo\s+in\s+cs\s+us\s+sy\s+id\s+wa\s+st(?:\s+gu)?$`),
		start:  vmstatTable,
		before: []string{
			" r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st",
			" 3  0      0 21920460 187076 2144200    0    0   393   712 2393 7226 49 25 26  0  0",
		},
		after: []string{
			"r b swpd free buff cache si so bi bo in cs us sy id wa st",
			"<N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N> <N>",
		},
	},
	{
		name:   "python -m cProfile, profile",
		doc:    "tottime, cumtime, percall; ncalls, functions stay; rows compared sorted (sorted by a time)",
		header: regexp.MustCompile(`^\s*ncalls\s+tottime\s+percall\s+cumtime\s+percall\s+filename:lineno\(function\)$`),
		sorted: true,
		start:  profileTable,
		before: []string{
			"   ncalls  tottime  percall  cumtime  percall filename:lineno(function)",
			"     3000    0.020    0.000    0.023    0.000 encoder.py:183(encode)",
		},
		after: []string{
			"ncalls tottime percall cumtime percall filename:lineno(function)",
			"3000 <DUR> <DUR> <DUR> <DUR> encoder.py:183(encode)",
		},
	},
	{
		name:   "gdb: info proc",
		doc:    "the pid of its first line, process N, above cmdline = (a line process N alone stays)",
		header: regexp.MustCompile(`^process \d+$`),
		follow: regexp.MustCompile(`^cmdline = '`),
		start:  func(string) (string, func(string) (string, bool)) { return "process <PID>", noRows },
		before: []string{"process 3329", "cmdline = '/tmp/hv/seg'"},
		after:  []string{"process <PID>", "cmdline = '/tmp/<P>'"},
	},
}

// The columns of lsof and df: which are right-aligned (a value ends where
// its header does) and what each masked one becomes.
var (
	lsofRight = []string{"PID", "TID", "DEVICE", "SIZE/OFF", "SIZE", "OFFSET", "NODE"}
	lsofMask  = map[string]func(string) string{
		"PID":    func(string) string { return "<PID>" },
		"TID":    func(string) string { return "<PID>" },
		"NODE":   unless(regexp.MustCompile(`^\d+$`), "<N>", true),
		"DEVICE": unless(regexp.MustCompile(`^\d+,\d+$`), "<N>", false),
	}
	dfRight = []string{"1K-blocks", "Size", "Inodes", "Used", "IUsed", "Avail", "Available", "IFree", "Use%", "IUse%", "Capacity"}
	dfMask  = map[string]func(string) string{
		"Used": n, "IUsed": n, "Avail": n, "Available": n, "IFree": n,
		"Use%": pct, "IUse%": pct, "Capacity": pct,
	}
)

// n and pct mask a size and a share.
func n(string) string { return "<N>" }

func pct(v string) string {
	if strings.HasSuffix(v, "%") {
		return "<N>%"
	}
	return v
}

// unless masks a value as repl when re matches it (match) or when it
// does not (!match).
func unless(re *regexp.Regexp, repl string, match bool) func(string) string {
	return func(v string) string {
		if re.MatchString(v) == match {
			return repl
		}
		return v
	}
}

// columns reads a table whose header names its columns.
type columns struct {
	key   string         // a row has a value in this column ...
	keyRe *regexp.Regexp // ... that this matches
	right []string       // the right-aligned columns
	mask  map[string]func(string) string
}

// A span is a field of a line and where it is.
type span struct {
	text       string
	start, end int
}

var field = regexp.MustCompile(`\S+`)

// spans returns the fields of a line.
func spans(l string) []span {
	var s []span
	for _, ix := range field.FindAllStringIndex(l, -1) {
		s = append(s, span{l[ix[0]:ix[1]], ix[0], ix[1]})
	}
	return s
}

// joined returns the fields of a line joined by one space.
func joined(s []span) string {
	words := make([]string, len(s))
	for i, f := range s {
		words[i] = f.text
	}
	return strings.Join(words, " ")
}

// start reads the header and returns the reader of its rows: a value of
// a right-aligned column is the field that ends where its name does, of
// another the field that starts where its name does.
func (c columns) start(header string) (string, func(string) (string, bool)) {
	head := spans(header)
	isRight := map[string]bool{}
	for _, r := range c.right {
		isRight[r] = true
	}
	at := func(row []span, name string) int {
		for _, h := range head {
			if h.text != name {
				continue
			}
			for i, f := range row {
				if isRight[name] && f.end == h.end || !isRight[name] && f.start == h.start {
					return i
				}
			}
		}
		return -1
	}
	return joined(head), func(l string) (string, bool) {
		row := spans(l)
		if k := at(row, c.key); len(row) == 0 || row[0].start != 0 || k < 0 || !c.keyRe.MatchString(row[k].text) {
			return "", false
		}
		for name, m := range c.mask {
			if i := at(row, name); i >= 0 {
				row[i].text = m(row[i].text)
			}
		}
		return joined(row), true
	}
}

// perfCounter is a counter line of perf stat's report; perfTime one of
// its seconds lines.
var (
	perfCounter = regexp.MustCompile(`^\s*(?:[\d,]+(?:\.\d+)?|(<not counted>|<not supported>))(\s+(?:msec|ns))?\s+([^\s#]+)\s*(#.*?)?\s*(\(.*\))?$`)
	perfTime    = regexp.MustCompile(`^\s*\d+(?:[.,]\d+)?(?: \+- \d+(?:[.,]\d+)?)? seconds (time elapsed|user|sys)\b.*$`)
	perfNumber  = regexp.MustCompile(`[\d,]*\d(?:\.\d+)?`)
	perfScale   = regexp.MustCompile(`(\d) [KMGTP]?/`) // 11.276 K/sec, 0.000 /sec
)

// perfStat reads perf stat's report: the counters and the seconds.
func perfStat(header string) (string, func(string) (string, bool)) {
	return strings.TrimSpace(header), func(l string) (string, bool) {
		if m := perfTime.FindStringSubmatch(l); m != nil {
			return "<DUR> seconds " + m[1], true
		}
		m := perfCounter.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		value := "<N>"
		if m[1] != "" {
			value = m[1] // not counted, not supported: the machine's, not the run's
		}
		out := []string{value + m[2], m[3]}
		for _, rest := range m[4:] {
			if rest != "" {
				rest = perfNumber.ReplaceAllString(perfScale.ReplaceAllString(rest, "$1 /"), "<N>")
				out = append(out, strings.Join(strings.Fields(rest), " "))
			}
		}
		return strings.Join(out, " "), true
	}
}

// timeKept are the lines of time -v's report that are not measurements.
var (
	timeRow  = regexp.MustCompile(`^(\s*)([A-Z].*?): (\S.*)$`)
	timeKept = regexp.MustCompile(`^(Command being timed|Exit status|Page size \(bytes\)|Signals delivered)$`)
)

// timeVerbose reads the report of GNU time -v.
func timeVerbose(header string) (string, func(string) (string, bool)) {
	return header, func(l string) (string, bool) {
		m := timeRow.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		if timeKept.MatchString(m[2]) {
			return l, true
		}
		return m[1] + m[2] + ": <N>", true
	}
}

// maskTables reads the lines of an outputs block for the tables of
// tableFormats and masks their rows; other lines are as they were. from
// (the line each comes from) goes along with them.
func maskTables(lines []string, from []int) ([]string, []int) {
	out := make([]string, 0, len(lines))
	var row func(string) (string, bool)
	first, sorted := 0, false // where the table's rows start in out
	for i, l := range lines {
		if row != nil {
			if r, ok := row(l); ok {
				out = append(out, r)
				continue
			}
			row = nil
		}
		if sorted {
			sortRuns(out[first:], from[first:len(out)])
			sorted = false
		}
		for _, t := range tableFormats {
			if t.header.MatchString(l) && (t.follow == nil || i+1 < len(lines) && t.follow.MatchString(lines[i+1])) {
				l, row = t.start(l)
				first, sorted = len(out)+1, t.sorted
				break
			}
		}
		out = append(out, l)
	}
	if sorted {
		sortRuns(out[first:], from[first:len(out)])
	}
	return out, from
}

// ruleRow is a rule between a table's rows, as compared.
const ruleRow = "------"

// sortRuns sorts the rows of a table between its rules: strace -c's
// rows, not the rule and the total under them; from goes along.
func sortRuns(rows []string, from []int) {
	start := 0
	for i := 0; i <= len(rows); i++ {
		if i == len(rows) || rows[i] == ruleRow {
			sortAlong(rows[start:i], from[start:i])
			start = i + 1
		}
	}
}
