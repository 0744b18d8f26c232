package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestToolFormats: each format's example, a line the tool printed, is
// matched by its regexp and becomes its after (the examples the help
// shows are these).
func TestToolFormats(t *testing.T) {
	names := map[string]bool{}
	for _, f := range toolFormats {
		if names[f.name] {
			t.Errorf("two formats named %q", f.name)
		}
		names[f.name] = true
		if f.doc == "" || f.before == "" || f.after == "" {
			t.Errorf("%s: no doc or example", f.name)
		}
		if !f.re.MatchString(f.before) || f.within != nil && !f.within.MatchString(f.before) {
			t.Errorf("%s: its regexp does not match its example %q", f.name, f.before)
		}
		want := f.after
		if want == noLine {
			want = "" // dropped
		}
		if got := Volatile(f.before); got != want {
			t.Errorf("%s: Volatile(%q) = %q, want %q", f.name, f.before, got, want)
		}
	}
}

// TestTableFormats: each table's example becomes its after.
func TestTableFormats(t *testing.T) {
	for _, tf := range tableFormats {
		if !tf.header.MatchString(tf.before[0]) {
			t.Errorf("%s: the header does not match %q", tf.name, tf.before[0])
		}
		block := "    " + strings.Join(tf.before, "\n    ") + "\n"
		want := make([]string, len(tf.after))
		for i, l := range tf.after {
			want[i] = Volatile(l) // the after is what Volatile leaves of it
		}
		if d := cmp.Diff(want, Normalize(block, nil, nil)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tf.name, d)
		}
	}
}

// TestToolSamples: two runs of the same command (check/testdata/tools:
// NAME.1.txt and NAME.2.txt, made on this project's Debian machine), which
// differ in their pids, inodes, addresses and times, normalize to the
// same lines.
func TestToolSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/tools/*.1.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, one := range files {
		name := strings.TrimSuffix(filepath.Base(one), ".1.txt")
		a, b := sample(t, one), sample(t, strings.Replace(one, ".1.txt", ".2.txt", 1))
		if a == b {
			t.Errorf("%s: the two runs are the same: not a test", name)
		}
		if d := cmp.Diff(Normalize(a, nil, nil), Normalize(b, nil, nil)); d != "" {
			t.Errorf("%s: two runs differ after normalizing (-1 +2):\n%s", name, d)
		}
	}
}

// sample returns a sample as a transcript holds what a step printed: a
// stream, each line indented by four spaces (which Layout takes off, so
// that a line's own leading spaces stay).
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(string(b), "\n"), "\n", "\n    ") + "\n"
}

// TestToolContentStays: what a lesson is about is not masked: the counts
// of valgrind's and the sanitizers' summaries, exit statuses, errors,
// the lines of a report that are not measurements, lines that only look
// like a tool's.
func TestToolContentStays(t *testing.T) {
	for _, l := range []string{
		"ERROR SUMMARY: 6 errors from 6 contexts (suppressed: 0 from 0)",
		"    definitely lost: 40 bytes in 1 blocks",
		"  total heap usage: 3 allocs, 2 frees, 4,176 bytes allocated",
		"    in use at exit: 40 bytes in 1 blocks",
		"SUMMARY: AddressSanitizer: 40 byte(s) leaked in 1 allocation(s).",
		"Direct leak of 40 byte(s) in 1 object(s) allocated from:",
		"WRITE of size 4 at 0x<H> thread T0",
		"Command exited with non-zero status 3",
		"wait4(-1, 0x<H>, WNOHANG, NULL) = -1 ECHILD (No child processes)",
		"+++ exited with 1 +++",
		"exit_group(2)                           = ?",
		"[Inferior 1 (process <PID>) exited with code 01]",
		"Thread 1 \"thr\" received signal SIGABRT, Aborted.",
		"Access: (0644/-rw-r--r--)  Uid: (    0/    root)   Gid: (    0/    root)",
		"  Size: 0         \tBlocks: 0          IO Block: 4096   regular empty file",
		" Birth: -",
		"     13 bin",       // ls -i without -l: reads as wc -l's count and name
		"     12 a.txt",     // wc -l
		"      3 apple",     // uniq -c
		"42\tapples",        // a count and a name, tab-separated
		"real work done: 3", // not time's
		"Segmentation fault (core dumped)",
		"process 3 finished", // a lesson's own numbering
		// IPython's timing magics: only their own lines, whole
		"Wall time: see below",
		"CPU times: user asked for them",
		"The slowest run took ages.",
		"Compiler time: 3 min",
		"[1]+  Done                    sleep 1",
		"root     24335  0.0  0.0      0     0 ?        Z    23:48   0:00 [thr] <defunct>",

		// lines that look like the new formats' but are a lesson's own
		"process 3 is ready",                    // not gdb's exec message
		"[1] 42 apples",                         // not jobs -l: no job state
		"[2]-  Done                    sleep 1", // jobs: no pid to mask
		"...",                                   // a lesson's dots: no +++
		"+++",                                   // openssl's progress starts with a dot
		"+---+---+",                             // a table's border
		"... +++ done",                          // not only dots and pluses
		"up 3 days and counting",                // not uptime -p
		"the server was up 3 days, 2 users",     // not uptime's line
		"DEADBEEF: error in block 3",            // not openssl's error stack
		"salt=39AAFD9493550000",                 // alone, not openssl enc -P's report (TestTablesNeedContext)

		"3 fib(3) = 2",                     // not strace -o's pid column (%-5d)
		"10   fib(10) = 55",                // nor this
		"   1.500000 is the ratio",         // nor this
		"2.000000 pow(4, 0.5)",             // a lesson's printf("%f"), not strace -r's padded time
		"Pid count: 3",                     // not /proc/PID/status
		"TracerPid:\t0",                    // not traced: stays
		"f(3)",                             // not pstree's: no branch
		"g(1)-h(2)",                        // no pstree link
		"id: 4",                            // not ipcmk's
		"[12.5] seconds",                   // not dmesg's time
		"3 loops, done",                    // not timeit's
		"Tasks remaining: 3",               // not top's
		"Threads:\t2",                      // /proc/PID/status's, not top's
		"thread started 140421460858560)>", // not a Thread's repr
		"parent=30515",                     // not a Process's repr
		"1,000,000 loops each",             // not IPython's: no mean ± std. dev.
		"copied 3 files at 2 MB/s",         // not dd's: its rate stays

		// stat(2)'s example program: only the inode and the device go.
		"Link count:               2",
		"File size:                3 bytes",
		"Mode:                     100644 (octal)",
		"I-node number:            12 of 40",
	} {
		got := Volatile(l)
		want := l
		if strings.HasPrefix(l, "root ") {
			want = "<ps> [thr] <defunct>" // its columns go, the zombie stays
		}
		if got != want {
			t.Errorf("Volatile(%q) = %q: masks content", l, got)
		}
	}
}

// TestToolCountsDiffer: a changed count in a tool's report still fails:
// its normalized lines differ.
func TestToolCountsDiffer(t *testing.T) {
	for _, c := range []struct{ name, from, to string }{
		{"valgrind", "ERROR SUMMARY: 6 errors", "ERROR SUMMARY: 5 errors"},
		{"valgrind", "definitely lost: 40 bytes in 1 blocks", "definitely lost: 80 bytes in 2 blocks"},
		{"lsan", "Direct leak of 40 byte(s)", "Direct leak of 48 byte(s)"},
		{"strace", "+++ exited with 0 +++", "+++ exited with 1 +++"},
		{"time-v", "Exit status: 0", "Exit status: 1"},
		{"perf-stat", "page-faults", "minor-faults"},
		{"gdb", "exited normally", "exited with code 01"},
		{"lsof", "(LISTEN)", "(ESTABLISHED)"},
		{"stat", "Links: 1", "Links: 2"},
		{"os-stat", "st_size=0", "st_size=1"},
		{"stat2-example", "Link count:               1", "Link count:               2"},
		{"stat2-example", "File size:                3 bytes", "File size:                4 bytes"},
		{"stat2-example", "File type:                regular file", "File type:                symlink"},
		{"strace-c", "129       129 getxattr", "130       129 getxattr"},
		{"strace-c", "129       129 getxattr", "129       128 getxattr"},
		{"strace-c", "129       129 getxattr", "129       129 getxattrs"},
		{"strace-c", "464       229 total", "465       229 total"},
		{"ltrace-c", "46 __errno_location", "47 __errno_location"},
		{"ps-cols", "0 S     0  6390", "0 Z     0  6390"},
		{"ps-cols", "S       1 ?        sleep 3", "S       2 ?        sleep 3"},
		{"ps-cols", "00:00:00 sleep", "00:00:00 sleeper"},
		{"free", "Mem:        24683652", "Mem:        24683000"},
		{"openssl-enc", "key=00112233", "key=00112234"},
		{"openssl-enc", "iv =0102", "iv =0103"},
		{"openssl-error", ":error:1E08010C:", ":error:1E08010D:"},
		{"openssl-genpkey", "genpkey exit 0", "genpkey exit 1"},
		{"jobs-l", "Running                 sleep 5", "Stopped                 sleep 5"},
		{"gdb-fork", "exited normally", "exited with code 01"},
		{"gdb-fork", "executing new program: /usr/bin/true", "executing new program: /usr/bin/false"},
		{"ltrace", `puts("done")`, `puts("gone")`},
		{"tty", "Rs+  ps -o", "Ss+  ps -o"},
		{"strace-r", "exit_group(0)", "exit_group(1)"},
		{"strace-r", `write(1, "done\n", 5`, `write(1, "gone\n", 5`},
		{"proc", "State:\tS (sleeping)", "State:\tZ (zombie)"},
		{"proc", "Threads:\t1", "Threads:\t2"},
		{"proc", "TracerPid:\t0", "TracerPid:\t77"},
		{"proc", "      8K r---- sleep", "     12K r---- sleep"},
		{"proc", "r--p 00000000", "r--p 00001000"},
		{"proc", "-+-pstree(", "---pstree("},
		{"ipcs", "644        4096       0", "644        4096       1"},
		{"ipcs", "644        4096", "600        4096"},
		{"cprofile", "3000    0.001", "3001    0.001"},
		{"cprofile", "__init__.py:183(dumps)", "__init__.py:184(dumps)"},
		{"dmesg", "error 4", "error 6"},
		{"dmesg", "segfault at 0 ", "segfault at 8 "},
		{"timeit", "best of 5", "best of 3"},
		{"gcore", "killed]", "exited normally]"},
	} {
		a := sample(t, "testdata/tools/"+c.name+".1.txt")
		if !strings.Contains(a, c.from) {
			t.Fatalf("%s: %q not in the sample", c.name, c.from)
		}
		b := strings.Replace(a, c.from, c.to, 1)
		if cmp.Equal(Normalize(a, nil, nil), Normalize(b, nil, nil)) {
			t.Errorf("%s: %q -> %q is masked", c.name, c.from, c.to)
		}
	}
}

// TestKernelThreadRows: ps rows of kernel threads are dropped, other
// rows stay (their command).
func TestKernelThreadRows(t *testing.T) {
	block := strings.Join([]string{
		"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND",
		"root           2  0.0  0.0      0     0 ?        S    22:50   0:00 [kthreadd]",
		psKernelExample,
		"root           4  0.0  0.0      0     0 ?        I<   22:50   0:00 [kworker/R-rcu_gp]",
		"root         812  0.0  0.0   2608   588 pts/0    Ss   22:51   0:00 /bin/sh -c ps aux",
		"root       24335  0.0  0.0      0     0 ?        Z    23:48   0:00 [thr] <defunct>",
	}, "\n")
	want := []string{
		"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND",
		"<ps> /bin/sh -c ps aux",
		"<ps> [thr] <defunct>",
	}
	if d := cmp.Diff(want, Normalize(block, nil, nil)); d != "" {
		t.Errorf("ps aux (-want +got):\n%s", d)
	}
}

// TestTablesEnd: a table ends at the first line that is not its row: a
// line after it is read as any line, its counts kept.
func TestTablesEnd(t *testing.T) {
	block := "COMMAND  PID USER   FD   TYPE DEVICE SIZE/OFF    NODE NAME\n" +
		"bash    1076 root  cwd    DIR  254,0     4096 5308922 /work/main\n" +
		"  12    34 total\n" +
		"Filesystem      Size  Used Avail Use% Mounted on\n" +
		"/dev/vda        252G   15G   77G  16% /\n" +
		"used 15G of 252G\n"
	want := []string{
		"COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME",
		"bash <PID> root cwd DIR 254,0 4096 <N> /work/main",
		"  12    34 total",
		"Filesystem Size Used Avail Use% Mounted on",
		"/dev/vda 252G <N> <N> <N>% /",
		"used 15G of 252G",
	}
	if d := cmp.Diff(want, Normalize(block, nil, nil)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestSaltIndented: openssl enc -P's report shown indented by the program
// that ran it (a Python wrapper's print) has its salt masked, its
// indentation, key= and iv = kept; an indented salt= line with no key=
// under it stays.
func TestSaltIndented(t *testing.T) {
	block := "  salt=39EA10B916560000\n" +
		"  key=BBC5929AA59B56851391DD723922C2E0F31A2FC873D52D3FBA3FD5391CAD471E\n" +
		"  iv =E4DEC57ADC9A771DC72A77775A1CF4FF\n" +
		"  salt=390ABE8FE6550000\n" +
		"  salt is random\n"
	want := []string{
		"  salt=<SALT>",
		"  key=BBC5929AA59B56851391DD723922C2E0F31A2FC873D52D3FBA3FD5391CAD471E",
		"  iv =E4DEC57ADC9A771DC72A77775A1CF4FF",
		"  salt=390ABE8FE6550000",
		"  salt is random",
	}
	if d := cmp.Diff(want, Normalize(block, nil, nil)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestTablesNeedContext: a line like a table's header is one only with
// the table's context: a salt= line not above openssl's key= line stays,
// and the rows of a table a lesson prints under its own header stay.
func TestTablesNeedContext(t *testing.T) {
	block := "process 3\n" + // not gdb's info proc: no cmdline = under it
		"salt=39AAFD9493550000\n" +
		"salt is random\n" +
		"  PID NAME\n" + // not ps's: NAME is no ps column
		" 6390 bash\n" +
		"% time spent: 12\n" +
		" 29.88    0.001347          18        71           statx\n" +
		"Mem:        24683652      729976\n" // no free header above
	want := []string{
		"process 3",
		"salt=39AAFD9493550000",
		"salt is random",
		"  PID NAME",
		" 6390 bash",
		"% time spent: 12",
		" 29.88    0.001347          18        71           statx",
		"Mem:        24683652      729976",
	}
	if d := cmp.Diff(want, Normalize(block, nil, nil)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestCallTableSorted: strace -c's rows are compared sorted, the rule
// and the total under them stay last.
func TestCallTableSorted(t *testing.T) {
	head := "% time     seconds  usecs/call     calls    errors syscall\n" +
		"------ ----------- ----------- --------- --------- ----------------\n"
	a := " 60.00    0.000006           6         1           read\n 40.00    0.000004           1         3           close\n"
	b := " 60.00    0.000006           2         3           close\n 40.00    0.000004           4         1           read\n"
	tail := "------ ----------- ----------- --------- --------- ----------------\n" +
		"100.00    0.000010           2         4           total\n"
	want := []string{
		"% time seconds usecs/call calls errors syscall", "------",
		"<N> <DUR> <DUR> 1 read", "<N> <DUR> <DUR> 3 close", "------", "<N> <DUR> <DUR> 4 total",
	}
	if d := cmp.Diff(want, Normalize(head+a+tail, nil, nil)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff(Normalize(head+a+tail, nil, nil), Normalize(head+b+tail, nil, nil)); d != "" {
		t.Errorf("the order of the rows counts (-a +b):\n%s", d)
	}
}

// TestVolatileHelp: the help lists every format with its doc and its
// example, before -> after.
func TestVolatileHelp(t *testing.T) {
	h := VolatileHelp()
	words := strings.Join(strings.Fields(h), " ")
	has := func(s string) bool { return strings.Contains(words, strings.Join(strings.Fields(s), " ")) }
	for _, f := range toolFormats {
		if !has(f.name+": "+f.doc) || !strings.Contains(h, "      "+strings.TrimSpace(f.before)+"\n    \u2192 "+strings.TrimSpace(f.after)+"\n") {
			t.Errorf("the help misses %s or its example", f.name)
		}
	}
	for _, tf := range tableFormats {
		if !has(tf.name+": "+tf.doc) || !has(strings.Join(tf.before, " ")+" \u2192 "+strings.Join(tf.after, " ")) {
			t.Errorf("the help misses %s or its example", tf.name)
		}
	}
	for _, l := range strings.Split(h, "\n") {
		if len(l) > 72 && !strings.HasPrefix(l, "      ") && !strings.HasPrefix(l, "    \u2192 ") {
			t.Errorf("a line of the help is longer than 72 columns: %q", l)
		}
	}
}

// TestDuFolderTotal: du's folder row is masked under the rows of what it
// holds; a count and a name after them stays, so does one alone.
func TestDuFolderTotal(t *testing.T) {
	block := "12\tapples\n6096\tdd/perf.data\n10192\tdd\n12\tapples\n"
	want := []string{"12\tapples", "<N>\tdd/perf.data", "<N>\tdd", "12\tapples"}
	if d := cmp.Diff(want, Normalize(block, nil, nil)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
