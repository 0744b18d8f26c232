package check

import (
	"regexp"
	"strings"
)

// The volatile values of everyday tools (stage 2 of normalization, before
// the generic values of normalize.go): each entry is one format of one
// tool, read from the tool's documented output, and masks only what
// varies from run to run in that format (a pid, an inode, a measured
// time), never what a lesson is about (an exit status, an error message,
// a count: valgrind's "ERROR SUMMARY: 2 errors" stays). Measurements
// (perf counters, elapsed times) are masked only in the tool's own
// measurement lines. Formats that need a table's header to be read (lsof,
// df, ps, free, perf stat, strace -c, time -v, du's folders, openssl enc
// -P) are in volatile_tables.go, their readers in volatile_readers.go.
//
// Each example is a line the tool printed on Debian 12 (valgrind 3.19,
// gcc 12's ASan and LSan, strace 6.1, GNU time, coreutils 9.1, gdb 13.1,
// lsof 4.95, perf 6.1, bash 5.2, Python 3.11, ltrace 0.7.3, OpenSSL
// 3.0, procps 4.0 (ps, free, uptime), the stat(2) example of man-pages
// 6.03 built with gcc 12), but the core file names,
// which follow core(5) (core_uses_pid, core_pattern's %e.%p.%t): before
// is the line as printed, after the line as check compares it (after all
// of Volatile). TestToolFormats checks each; check/testdata/tools holds
// two runs of each tool, which TestToolSamples normalizes.

// A toolFormat is one tool's volatile value on a line of its own output.
type toolFormat struct {
	name   string         // the tool and its format, as the help lists it
	doc    string         // what is masked, one line
	within *regexp.Regexp // when set, only lines it matches
	re     *regexp.Regexp
	repl   string
	before string // an example line, as the tool printed it
	after  string // the example, as check compares it
}

// toolFormats are the per-line formats, applied in order.
var toolFormats = []toolFormat{
	{
		name: "valgrind, AddressSanitizer, LeakSanitizer",
		doc:  "the ==PID== prefix of every line (and valgrind's --PID-- and **PID**); the summaries' counts stay",
		re:   regexp.MustCompile(`^(\s*)(==|--|\*\*)\d+(==|--|\*\*)`), repl: "${1}${2}<PID>${3}",
		before: "==20672== Invalid write of size 4",
		after:  "==<PID>== Invalid write of size 4",
	},
	{
		name: "AddressSanitizer stack frames",
		doc:  "the address of each frame; the function, file and line stay",
		re:   regexp.MustCompile(`^(\s*#\d+ )0x[0-9a-f]+( in )`), repl: "${1}0x<H>${2}",
		before: "    #0 0x55f7787df21b in main /work/s/leak.c:3",
		after:  "    #0 0x<H> in main /work/s/leak.c:3",
	},
	{
		name: "strace: set_tid_address, getpid, getppid, gettid",
		doc:  "the thread or process id they return",
		re:   regexp.MustCompile(`^(.*\b(?:set_tid_address\(.*\)|get(?:p|pp|t)id\(\))\s+=\s+)\d+`), repl: "${1}<PID>",
		before: "set_tid_address(0x7f0489396a10)         = 24458",
		after:  "set_tid_address(0x<H>)         = <PID>",
	},
	{
		name: "strace, ltrace: clone, clone3, fork, vfork, wait4, wait, waitpid",
		doc:  "the child's pid they return (also in <... resumed> lines); -1 and its errno stay",
		re:   regexp.MustCompile(`^(.*(?:\b(?:clone3?|v?fork|wait[34]?|waitpid)\(|<\.\.\. (?:clone3?|v?fork|wait[34]?|waitpid) resumed>).*\)\s+=\s+)\d+`), repl: "${1}<PID>",
		before: "[pid 24477] <... vfork resumed>)        = 24478",
		after:  "[pid <PID>] <... vfork resumed>)        = <PID>",
	},
	{
		name: "strace -f: [pid N]",
		doc:  "the pid of a line's process",
		re:   regexp.MustCompile(`^(\s*)\[pid\s+\d+\]`), repl: "${1}[pid <PID>]",
		before: "[pid 24478] exit_group(0)               = ?",
		after:  "[pid <PID>] exit_group(0)               = ?",
	},
	{
		name: "strace: Process N attached",
		doc:  "the pid strace attaches to or detaches from",
		re:   regexp.MustCompile(`\bProcess \d+ (attached|detached|resumed|suspended)\b`), repl: "Process <PID> ${1}",
		before: "strace: Process 24467 attached",
		after:  "strace: Process <PID> attached",
	},
	{
		name: "strace: si_pid",
		doc:  "the sender's pid in a signal's siginfo",
		re:   regexp.MustCompile(`\bsi_pid=\d+`), repl: "si_pid=<PID>",
		before: "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=24478, si_uid=0, si_status=0} ---",
		after:  "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=<PID>, si_uid=0, si_status=0} ---",
	},
	{
		name: "strace: rt_sigreturn",
		doc:  "the value it returns: the interrupted call's, restored",
		re:   regexp.MustCompile(`^(.*\brt_sigreturn\(.*\)\s+=\s+)\d+`), repl: "${1}<N>",
		before: "rt_sigreturn({mask=[]})                 = 23699",
		after:  "rt_sigreturn({mask=[]})                 = <N>",
	},
	{
		name: "strace: getrandom",
		doc:  "the random bytes it read; the count stays",
		re:   regexp.MustCompile(`\bgetrandom\("(?:[^"\\]|\\.)*"(?:\.\.\.)?,`), repl: `getrandom("<RANDOM>",`,
		before: `getrandom("\x82\x72\xbc\xf2\x9a\x9e\xab\xdd", 8, GRND_NONBLOCK) = 8`,
		after:  `getrandom("<RANDOM>", 8, GRND_NONBLOCK) = 8`,
	},
	{
		name: "strace -T",
		doc:  "the time spent in a call, <0.000012> at the end of its line",
		re:   regexp.MustCompile(`<\d+\.\d+>$`), repl: "<DUR>",
		before: "close(3)                                = 0 <0.000007>",
		after:  "close(3)                                = 0 <DUR>",
	},
	{
		name: "gdb: (process N), (LWP N)",
		doc:  "the inferior's pid and a thread's LWP id; the inferior's number and how it exited stay",
		re:   regexp.MustCompile(`\((process|LWP) \d+\)`), repl: "(${1} <PID>)",
		before: "[Inferior 1 (process 16533) exited normally]",
		after:  "[Inferior 1 (process <PID>) exited normally]",
	},
	{
		name: "gdb: [New LWP N]",
		doc:  "the LWP id of a thread gdb finds (in a core file too)",
		re:   regexp.MustCompile(`\[New LWP \d+\]`), repl: "[New LWP <PID>]",
		before: "[New LWP 20798]",
		after:  "[New LWP <PID>]",
	},
	{
		name: "gdb: a core file's sections",
		doc:  "the LWP id in the name of a thread's registers section",
		re:   regexp.MustCompile(`(\.reg(?:-xstate|2)?)/\d+\b`), repl: "${1}/<PID>",
		before: "warning: Section `.reg-xstate/20798' in core file too small.",
		after:  "warning: Section `.reg-xstate/<PID>' in core file too small.",
	},
	{
		name: "gdb: fork and attach messages",
		doc:  "the pid in child process N, parent process N, Attaching to process N, Detaching from process N",
		re:   regexp.MustCompile(`\b(child process|parent process|Attaching to process|Detaching from process) \d+\b`), repl: "${1} <PID>",
		before: "[Attaching after Thread 0x7ffff7dd0740 (LWP 20613) fork to child process 20752]",
		after:  "[Attaching after Thread 0x<H> (LWP <PID>) fork to child process <PID>]",
	},
	{
		name: "gdb: exec",
		doc:  "the pid of a process that runs exec",
		re:   regexp.MustCompile(`^process \d+ is executing new program: `), repl: "process <PID> is executing new program: ",
		before: "process 1057 is executing new program: /usr/bin/true",
		after:  "process <PID> is executing new program: /usr/bin/true",
	},
	{
		name: "gdb: info inferiors",
		doc:  "the pid of a row's process",
		re:   regexp.MustCompile(`^(\*?\s+\d+\s+process )\d+\b`), repl: "${1}<PID>",
		before: "* 1    process 16842     1      /work/s/thr",
		after:  "* 1    process <PID>     1      /work/s/thr",
	},
	{
		name: "shell job control",
		doc:  "the pid of a job started with &, [1] 12345; the job's number stays",
		re:   regexp.MustCompile(`^(\[\d+\]) \d+$`), repl: "${1} <PID>",
		before: "[1] 20498",
		after:  "[1] <PID>",
	},
	{
		name: "shell: a job killed by a signal",
		doc:  "the pid in the shell's report; the signal, the line and the command stay",
		re:   regexp.MustCompile(`: +\d+ (` + jobSignals + `)\b`), repl: ": <PID> ${1}",
		before: "bash: line 1: 26353 Killed                  sleep 5",
		after:  "bash: line 1: <PID> Killed                  sleep 5",
	},
	{
		name: "shell: jobs -l",
		doc:  "the pid of a job's row; its number, state and command stay",
		re:   regexp.MustCompile(`^(\[\d+\][+-]?\s+)\d+(\s+(?:Running|Stopped|Done|Exit \d+|` + jobSignals + `)\b)`), repl: "${1}<PID>${2}",
		before: "[1]+  1262 Running                 sleep 5 &",
		after:  "[1]+  <PID> Running                 sleep 5 &",
	},
	{
		name: "/proc/PID paths",
		doc:  "the pid in /proc/N/...",
		re:   regexp.MustCompile(`/proc/\d+/`), repl: "/proc/<PID>/",
		before: "lr-x------ 1 root root 64 Dec  1 23:44 3 -> /proc/5838/fd",
		after:  "lr-x------ 1 root root 64 <D> 3 -> /proc/<PID>/fd",
	},
	{
		name: "core dumps: core.N",
		doc:  "the pid (and what follows) in a core file's name",
		re:   regexp.MustCompile(`\bcore\.\d+(?:\.\d+)*\b`), repl: "core.<N>",
		before: "-rw------- 1 root root 380928 Dec  1 23:44 core.17322",
		after:  "-rw------- 1 root root 380928 <D> core.<N>",
	},
	{
		name: "core dumps: core.prog.N",
		doc:  "the pid and time in core.%e.%p.%t",
		re:   regexp.MustCompile(`\bcore\.([A-Za-z_][\w+\-]*)(?:\.\d+)+\b`), repl: "core.${1}.<N>",
		before: "-rw------- 1 root root 380928 Dec  1 23:44 core.thr.17322.1796166428",
		after:  "-rw------- 1 root root 380928 <D> core.thr.<N>",
	},
	{
		name: "stat: Inode, Device",
		doc:  "the inode number and the device, with the padding after them",
		re:   regexp.MustCompile(`\b(Device|Inode): *(?:\d+,\d+|[0-9a-f]+h/\d+d|\d+)[ \t]*`), repl: "${1}: <N> ",
		before: "Device: 254,0\tInode: 2           Links: 21",
		after:  "Device: <N> Inode: <N> Links: 21",
	},
	{
		name: "stat: Access, Modify, Change, Birth",
		doc:  "the file's times; the access mode line stays",
		re:   regexp.MustCompile(`^(\s*)(Access|Modify|Change|Birth): \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{4}$`), repl: "${1}${2}: <D>",
		before: "Modify: 2026-12-01 23:06:29.778540354 +0000",
		after:  "Modify: <D>",
	},
	{
		// The program of stat(2)'s EXAMPLES (Linux man-pages), which
		// courses copy: printf("I-node number:            %ju\n", ...)
		// and printf("ID of containing device:  [%x,%x]\n", major, minor).
		name: "stat(2)'s example program (man-pages)",
		doc:  "its I-node number and ID of containing device lines; the file type, mode, link count, owners and sizes stay",
		re:   regexp.MustCompile(`^(\s*(?:I-node number|ID of containing device):\s+)(?:\d+|\[[0-9a-f]+,[0-9a-f]+\])$`), repl: "${1}<N>",
		before: "I-node number:            10025917",
		after:  "I-node number:            <N>",
	},
	{
		name: "ls -li, ls -lai",
		doc:  "the inode column of a long listing (bare ls -i is not masked: its rows look like wc's and uniq -c's counts)",
		re:   regexp.MustCompile(`^(\s*)\d+( [-bcdlps][-rwxsStT]{9}[.+@]? )`), repl: "${1}<N>${2}",
		before: " 9994712 -rwxr-xr-x 1 root root 17448 Dec  1 23:43 leak",
		after:  " <N> -rwxr-xr-x 1 root root 17448 <D> leak",
	},
	{
		name: "ls -l",
		doc:  "the modification time of a long listing's row (Dec  1 23:43, or Dec  1  2025)",
		re:   regexp.MustCompile(`^(.*[-bcdlps][-rwxsStT]{9}[.+@]?\s+\d+\s+.*\s)(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s`), repl: "${1}<D> ",
		before: "-rwxr-xr-x 1 root root 3 Dec  1 22:50 /etc/hostname",
		after:  "-rwxr-xr-x 1 root root 3 <D> /etc/hostname",
	},
	{
		name:   "Python's os.stat_result",
		doc:    "st_ino, st_dev and the times (st_atime, st_mtime, st_ctime); mode, size, links and owners stay",
		within: regexp.MustCompile(`\bstat_result\(`),
		re:     regexp.MustCompile(`\b(st_(?:atime|mtime|ctime|ino|dev))=\d+(?:\.\d+)?`), repl: "${1}=<N>",
		before: "os.stat_result(st_mode=16877, st_ino=2, st_dev=65024, st_nlink=21, st_uid=0, st_gid=0, st_size=4096, st_atime=1796166428, st_mtime=1796166389, st_ctime=1796166389)",
		after:  "os.stat_result(st_mode=16877, st_ino=<N>, st_dev=<N>, st_nlink=21, st_uid=0, st_gid=0, st_size=4096, st_atime=<N>, st_mtime=<N>, st_ctime=<N>)",
	},
	{
		name: "pipe and socket inodes",
		doc:  "the inode in pipe:[N], socket:[N] (ls -l /proc/PID/fd, lsof) and in a namespace's name",
		re:   regexp.MustCompile(`\b(pipe|socket|cgroup|ipc|mnt|net|pid|time|user|uts):\[\d+\]`), repl: "${1}:[<N>]",
		before: "l-wx------ 1 root root 64 Dec  1 23:44 1 -> pipe:[1890141]",
		after:  "l-wx------ 1 root root 64 <D> 1 -> pipe:[<N>]",
	},
	{
		name: "/dev/pts/N",
		doc:  "the number of a pseudo-terminal (tty, who)",
		re:   regexp.MustCompile(`/dev/pts/\d+`), repl: "/dev/pts/<N>",
		before: "/dev/pts/3",
		after:  "/dev/pts/<N>",
	},
	{
		name: "date",
		doc:  "its default format, the day's padding included",
		re:   regexp.MustCompile(`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} (?:[A-Z]{2,5}|[+-]\d{4}) \d{4}\b`), repl: "<D>",
		before: "Tue Dec  1 23:44:04 UTC 2026",
		after:  "<D>",
	},
	{
		name: "time (the shell's keyword, time -p)",
		doc:  "the three times, real 0m0.003s or real 0.00",
		re:   regexp.MustCompile(`^(real|user|sys)(\s+)(?:\d+m)?\d+[.,]\d+s?$`), repl: "${1}${2}<DUR>",
		before: "real 0.00",
		after:  "real <DUR>",
	},
	{
		name:   "/usr/bin/time",
		doc:    "its default report's times, CPU share and memory; the exit status line stays",
		re:     regexp.MustCompile(`^\s*\d+[.:\d]*user \d+[.:\d]*system \d+[.:\d]*elapsed (?:\d+|\?)%CPU \(\d+avgtext\+\d+avgdata \d+maxresident\)k$`),
		repl:   "<DUR>user <DUR>system <DUR>elapsed <N>%CPU (<N>avgtext+<N>avgdata <N>maxresident)k",
		before: "0.00user 0.00system 0:00.00elapsed 77%CPU (0avgtext+0avgdata 1084maxresident)k",
		after:  "<DUR>user <DUR>system <DUR>elapsed <N>%CPU (<N>avgtext+<N>avgdata <N>maxresident)k",
	},
	{
		name:   "/usr/bin/time: faults",
		doc:    "the second line of its report",
		re:     regexp.MustCompile(`^\s*\d+inputs\+\d+outputs \(\d+major\+\d+minor\)pagefaults \d+swaps$`),
		repl:   "<N>inputs+<N>outputs (<N>major+<N>minor)pagefaults <N>swaps",
		before: "0inputs+0outputs (0major+72minor)pagefaults 0swaps",
		after:  "<N>inputs+<N>outputs (<N>major+<N>minor)pagefaults <N>swaps",
	},
	{
		name: "perf record: wrote",
		doc:  "the size it wrote and the samples it took",
		re:   regexp.MustCompile(`^\[ perf record: Captured and wrote \d+(?:\.\d+)? MB (.*) \(\d+ samples\) \]$`), repl: "[ perf record: Captured and wrote <N> MB ${1} (<N> samples) ]",
		before: "[ perf record: Captured and wrote 0.001 MB /tmp/hnorm/w/perf.data (1 samples) ]",
		after:  "[ perf record: Captured and wrote <N> MB /tmp/<P> (<N> samples) ]",
	},
	{
		name: "perf record: woken up",
		doc:  "how often it woke up to write",
		re:   regexp.MustCompile(`^\[ perf record: Woken up \d+ times to write data \]$`), repl: "[ perf record: Woken up <N> times to write data ]",
		before: "[ perf record: Woken up 1 times to write data ]",
		after:  "[ perf record: Woken up <N> times to write data ]",
	},
	{
		name: "perf report: header",
		doc:  "the samples and the event count of its header",
		re:   regexp.MustCompile(`^# (Samples: |Event count \(approx\.\): )\d+`), repl: "# ${1}<N>",
		before: "# Samples: 1  of event 'cpu-clock:ppp'",
		after:  "# Samples: <N>  of event 'cpu-clock:ppp'",
	},
	{
		name: "perf report: tip",
		doc:  "the tip of the day, picked at random",
		re:   regexp.MustCompile(`^# \(Tip: .*\)$`), repl: "# (Tip: <TIP>)",
		before: "# (Tip: Limit to show entries above 5% only: perf report --percent-limit 5)",
		after:  "# (Tip: <TIP>)",
	},
	{
		name: "du",
		doc:  "the size column, 88<TAB>./dir (a bare number only before a path with a / or a leading .)",
		re:   regexp.MustCompile(`^\d+(\t(?:[./~]|[^\t]*/))`), repl: "<N>${1}",
		before: "88\t/tmp/hnorm/s",
		after:  "<N>\t/tmp/<P>",
	},
	{
		name: "du -h",
		doc:  "the size column, 88K<TAB>dir",
		re:   regexp.MustCompile(`^\d+(?:[.,]\d+)?[KMGTPEZY](\t\S)`), repl: "<N>${1}",
		before: "20K\tleak",
		after:  "<N>\tleak",
	},
	{
		name: "openssl: error lines",
		doc:  "the thread id that starts each line of an error's stack; the code, the routine and the reason stay",
		re:   regexp.MustCompile(`^[0-9A-F]{8,16}(:error:[0-9A-F]{8}:)`), repl: "<TID>${1}",
		before: "40F709C16F7F0000:error:1E08010C:DECODER routines:OSSL_DECODER_from_bio:unsupported:../crypto/encode_decode/decoder_lib.c:103:No supported data to decode. Input type: PEM",
		after:  "<TID>:error:1E08010C:DECODER routines:OSSL_DECODER_from_bio:unsupported:../crypto/encode_decode/decoder_lib.c:103:No supported data to decode. Input type: PEM",
	},
	{
		name: "openssl genpkey, genrsa, dhparam: progress",
		doc:  "a line of its random progress dots and pluses (as many as candidates it tried) is dropped",
		re:   regexp.MustCompile(`^\.[.+*]*\+\+\+[.+*]*$`), repl: "",
		before: "...............................+++++++++++++++++++++++++++++++++++++++++++++++++",
		after:  noLine,
	},
	{
		name:   "uptime, w",
		doc:    "the clock, how long the system is up, the users logged in and the load averages",
		re:     regexp.MustCompile(`^\s*\d{1,2}:\d{2}:\d{2} up .+?,\s+\d+ users?,\s+load average: \d+[.,]\d+, \d+[.,]\d+, \d+[.,]\d+$`),
		repl:   "<T> up <UPTIME>, <N> users, load average: <N>, <N>, <N>",
		before: " 04:49:23 up  5:58,  0 user,  load average: 1.09, 0.94, 1.46",
		after:  "<T> up <UPTIME>, <N> users, load average: <N>, <N>, <N>",
	},
	{
		name: "uptime -p",
		doc:  "how long the system is up",
		re:   regexp.MustCompile(`^up \d+ (?:year|week|day|hour|minute)s?(?:, \d+ (?:year|week|day|hour|minute)s?)*$`), repl: "up <UPTIME>",
		before: "up 5 hours, 58 minutes",
		after:  "up <UPTIME>",
	},
	{
		name: "durations",
		doc:  "a number with msec, usec, nsec and their long names (seconds and ms are generic)",
		re:   regexp.MustCompile(`\b\d+(\.\d+)?\s?(msec|usec|nsec|milliseconds|microseconds|nanoseconds)\b`), repl: "<DUR>",
		before: "took 12.5 msec",
		after:  "took <DUR>",
	},
}

// jobSignals are the states of a job a signal ended, as bash reports
// them (strsignal(3)'s descriptions).
const jobSignals = `Aborted|Killed|Segmentation fault|Terminated|Floating point exception|Bus error|Illegal instruction|Hangup|Quit|Trace/breakpoint trap|Alarm clock|User defined signal [12]|Broken pipe`

// kernelThread is a ps row (as Volatile makes it) of a kernel thread:
// the command in brackets, alone. Such rows come and go with the
// machine's load; a zombie's "[prog] <defunct>" is not one and stays.
var kernelThread = regexp.MustCompile(`^<ps> \[[^\]]+\]$`)

// maskTools applies the tool formats to one line.
func maskTools(l string) string {
	for _, f := range toolFormats {
		if f.within != nil && !f.within.MatchString(l) {
			continue
		}
		l = f.re.ReplaceAllString(l, f.repl)
	}
	return l
}

// VolatileHelp lists the volatile values of tools that check masks, each
// with its example, before -> after, for "labrun help check".
func VolatileHelp() string {
	var b strings.Builder
	entry := func(name, doc string, before, after []string) {
		b.WriteString(wrap("  "+name+": "+doc, "    ", 72))
		for _, l := range before {
			b.WriteString("      " + strings.TrimSpace(l) + "\n")
		}
		for i, l := range after {
			lead := "      "
			if i == 0 {
				lead = "    → "
			}
			b.WriteString(lead + strings.TrimSpace(l) + "\n")
		}
	}
	for _, f := range toolFormats {
		entry(f.name, f.doc, []string{f.before}, []string{f.after})
	}
	for _, t := range tableFormats {
		entry(t.name, t.doc, t.before, t.after)
	}
	entry("ps", "a kernel thread's row ([kworker/0:1] and the like) is dropped; a zombie's [prog] <defunct> stays",
		[]string{psKernelExample}, []string{noLine})
	return b.String()
}

// wrap breaks text into lines of at most width columns at spaces, the
// lines after the first indented by indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = strings.Repeat(" ", len(text)-len(strings.TrimLeft(text, " "))) + w
		case len(line)+1+len(w) > width:
			b.WriteString(line + "\n")
			line = indent + w
		default:
			line += " " + w
		}
	}
	return b.String() + line + "\n"
}

// noLine is the after of an example whose line is dropped.
const noLine = "(no line)"

// psKernelExample is a row of ps aux for a kernel thread.
const psKernelExample = "root          12  0.0  0.0      0     0 ?        I    22:51   0:00 [kworker/0:1-events]"
