package check

import (
	"regexp"
	"sort"
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

// toolFormats are the per-line formats, applied in order: those of the
// tools that run, trace and debug processes, then those of the tools
// that show files and the system (volatile_files.go).
var toolFormats = append(append([]toolFormat{}, processFormats...), systemFormats...)

// processFormats are the formats of valgrind, the sanitizers, strace,
// ltrace, gdb, the shell's jobs and the kernel's reports of processes.
var processFormats = []toolFormat{
	{
		name: "valgrind, AddressSanitizer, LeakSanitizer",
		doc:  "the ==PID== prefix of each line (--PID--, **PID** too); the summaries' counts stay",
		re:   regexp.MustCompile(`^(\s*)(==|--|\*\*)\d+(==|--|\*\*)`), repl: "${1}${2}<PID>${3}",
		before: "==20672== Invalid write of size 4",
		after:  "==<PID>== Invalid write of size 4",
	},
	{
		name: "valgrind: massif.out.N, cachegrind.out.N",
		doc:  "the pid in the name of a tool's output file (callgrind's and dhat's too)",
		re:   regexp.MustCompile(`\b(massif|cachegrind|callgrind|dhat)\.out\.\d+\b`), repl: "${1}.out.<PID>",
		before: "ms_print arguments: massif.out.5000",
		after:  "ms_print arguments: massif.out.<PID>",
	},
	{
		name: "AddressSanitizer: stack frames",
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
		doc:  "the child's pid they return (<... resumed> too); -1 and errno stay",
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
		name: "strace: si_utime, si_stime",
		doc:  "the child's CPU times in a SIGCHLD's siginfo; si_status stays",
		re:   regexp.MustCompile(`\bsi_(utime|stime)=\d+`), repl: "si_${1}=<N>",
		before: "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=26167, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---",
		after:  "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=<PID>, si_uid=0, si_status=0, si_utime=<N>, si_stime=<N>} ---",
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
		name: "strace -f -o FILE",
		doc:  "the pid that starts each line (its %-5d column)",
		re:   regexp.MustCompile(`^(?:\d{5,}|\d{4} |\d{3} {2}|\d{2} {3}|\d {4}) ( *(?:\d+\.\d{6} +)?(?:[a-z_][a-z0-9_]*\(.*(?:\) += |<unfinished \.\.\.>$)|--- SIG|\+\+\+ (?:exited|killed)|<\.\.\. [a-z_0-9]+ resumed>))`), repl: "<PID> ${1}",
		before: "26158 wait4(-1,  <unfinished ...>",
		after:  "<PID> wait4(-1,  <unfinished ...>",
	},
	{
		name: "strace -r, -ttt, ltrace -r",
		doc:  "the relative or epoch time that starts a line, padded as they print it",
		re:   regexp.MustCompile(`^((?:(?:\[pid\s+(?:\d+|<PID>)\]|<PID>) )?)(?: {2,}\d+| \d{2,}|\d{3,})\.\d{6}( (?:[A-Za-z_]\w*\(|--- |\+\+\+ |<\.\.\. ))`), repl: "${1}<T>${2}",
		before: "     0.000919 close(3)                  = 0",
		after:  "<T> close(3)                  = 0",
	},
	{
		name: "gdb: (process N), (LWP N)",
		doc:  "the pid and a thread's LWP id; the inferior's number and how it exited stay",
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
		doc:  "the LWP id in a thread's registers section",
		re:   regexp.MustCompile(`(\.reg(?:-xstate|2)?)/\d+\b`), repl: "${1}/<PID>",
		before: "warning: Section `.reg-xstate/20798' in core file too small.",
		after:  "warning: Section `.reg-xstate/<PID>' in core file too small.",
	},
	{
		name: "gdb: fork and attach messages",
		doc:  "the pid in child process N, parent process N, Attaching to/Detaching from process N",
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
		name: "shell: job control",
		doc:  "the pid of a job started with &, [1] 12345; the job's number stays",
		re:   regexp.MustCompile(`^(\[\d+\]) \d+$`), repl: "${1} <PID>",
		before: "[1] 20498",
		after:  "[1] <PID>",
	},
	{
		name: "shell: a job killed by a signal",
		doc:  "the pid; the signal, the line and the command stay",
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
		name: "/proc/self",
		doc:  "the pid it links to",
		re:   regexp.MustCompile(`(/proc/(?:self|thread-self) -> )\d+(/task/\d+)?$`), repl: "${1}<PID>",
		before: "lrwxrwxrwx 1 root root 0 Dec  1 22:50 /proc/self -> 7301",
		after:  "lrwxrwxrwx 1 root root 0 <D> /proc/self -> <PID>",
	},
	{
		name: "/proc/PID/status",
		doc:  "the ids (Pid, PPid, NSpid...; TracerPid if not 0), VmRSS, VmHWM, Rss*, ctxt switches; State, Threads, masks stay",
		re:   regexp.MustCompile(`^(Tgid|Ngid|Pid|PPid|TracerPid|NStgid|NSpid|NSpgid|NSsid|VmHWM|VmRSS|RssAnon|RssFile|RssShmem|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):(\s+)(?:[1-9]\d*(?:\s+\d+)*(?: kB)?|0 kB)$`), repl: "${1}:${2}<N>",
		before: "PPid:\t6531",
		after:  "PPid:\t<N>",
	},
	{
		name: "/proc/PID/maps",
		doc:  "a mapping's addresses and inode; perms, offset, device, path stay",
		re:   regexp.MustCompile(`^[0-9a-f]+-[0-9a-f]+ ([-r][-w][-x][ps] [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ )\d+(?: +(\S.*))?$`), repl: "<ADDR>-<ADDR> ${1}<N> ${2}",
		before: "5643f0c7e000-5643f0c80000 r--p 00000000 fe:00 247766                     /usr/bin/sleep",
		after:  "<ADDR>-<ADDR> r--p 00000000 fe:00 <N> /usr/bin/sleep",
	},
	{
		name:   "pstree -p",
		doc:    "the pid of each process on a line with a branch (-+-, ---, `-, |-)",
		within: regexp.MustCompile(`^[\s|\x{2502}]*(?:(?:[|` + "`" + `]-|[\x{251c}\x{2514}]\x{2500})` + pstreeNode + `|` + pstreeNode + `(?:(?:-[-+]-|\x{2500}[\x{2500}\x{252c}]\x{2500})` + pstreeNode + `)+)`),
		re:     regexp.MustCompile(`(` + pstreeName + `)\(\d+(,[\w-]+)?\)`), repl: "${1}(<PID>${2})",
		before: "bash(6531)-+-pstree(6539)",
		after:  "bash(<PID>)-+-pstree(<PID>)",
	},
	{
		name: "ipcmk",
		doc:  "the id of the object it made",
		re:   regexp.MustCompile(`^(Shared memory|Message queue|Semaphore) id: \d+$`), repl: "${1} id: <N>",
		before: "Shared memory id: 4",
		after:  "Shared memory id: <N>",
	},
	{
		name: "dmesg",
		doc:  "the time since boot that starts a kernel message",
		re:   regexp.MustCompile(`^\[\s*\d+\.\d{6}\] `), repl: "[<T>] ",
		before: "[22029.181553] Code: 00 00 00 00 f3 0f 1e fa e9 77 ff ff ff 55 48 89 e5",
		after:  "[<T>] Code: 00 00 00 00 f3 0f 1e fa e9 77 ff ff ff 55 48 89 e5",
	},
	{
		name:   "dmesg: a segfault's report",
		doc:    "the pid, ip, sp, mapping and CPU; the program, fault address and error code stay",
		re:     regexp.MustCompile(`\b([\w.+\-]+)\[\d+\]: segfault at ([0-9a-f]+) ip [0-9a-f]+ sp [0-9a-f]+ error (\d+)(?: in ([^\[\s]+)\[[0-9a-f,+]+\])?(?: likely on CPU \d+ \(core \d+, socket \d+\))?`),
		repl:   "${1}[<PID>]: segfault at ${2} ip <ADDR> sp <ADDR> error ${3} in ${4}[<ADDR>]",
		before: "[22029.181537] seg[7268]: segfault at 0 ip 0000558da74f9146 sp 00007ffe87a87440 error 4 in seg[1146,558da74f9000+1000] likely on CPU 1 (core 1, socket 0)",
		after:  "[<T>] seg[<PID>]: segfault at 0 ip <ADDR> sp <ADDR> error 4 in seg[<ADDR>]",
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
}

// pstreeName and pstreeNode are a process of pstree -p: its name (a
// thread's in braces), then its pid (and -u's user).
const (
	pstreeName = `[^\s()|` + "`" + `\-+][^\s()]*`
	pstreeNode = pstreeName + `\(\d+(?:,[\w-]+)?\)`
)

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
// with its example, before -> after, for "labrun help check": the line
// formats and the tables together, by name, so that a tool's formats
// are listed side by side.
func VolatileHelp() string {
	type help struct {
		name, doc     string
		before, after []string
	}
	var all []help
	for _, f := range toolFormats {
		all = append(all, help{f.name, f.doc, []string{f.before}, []string{f.after}})
	}
	for _, t := range tableFormats {
		all = append(all, help{t.name, t.doc, t.before, t.after})
	}
	all = append(all, help{"ps", "a kernel thread's row ([kworker/0:1]...) is dropped; a zombie's <defunct> stays",
		[]string{psKernelExample}, []string{noLine}})
	sort.SliceStable(all, func(i, j int) bool {
		return strings.ToLower(all[i].name) < strings.ToLower(all[j].name)
	})
	var b strings.Builder
	for _, h := range all {
		b.WriteString(wrap("  "+h.name+": "+h.doc, "    ", 72))
		for _, l := range h.before {
			b.WriteString("      " + strings.TrimSpace(l) + "\n")
		}
		for i, l := range h.after {
			lead := "      "
			if i == 0 {
				lead = "    → "
			}
			b.WriteString(lead + strings.TrimSpace(l) + "\n")
		}
	}
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
