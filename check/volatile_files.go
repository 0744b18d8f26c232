package check

import "regexp"

// systemFormats are the formats of the tools that show files and the
// system (stat, ls, Python's os.stat, date, time, perf, du, openssl,
// uptime, /proc), applied after processFormats (volatile_tools.go says
// how each is made and tested).
var systemFormats = []toolFormat{
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
		doc:  "its I-node number and ID of containing device; type, mode, links, owners, sizes stay",
		re:   regexp.MustCompile(`^(\s*(?:I-node number|ID of containing device):\s+)(?:\d+|\[[0-9a-f]+,[0-9a-f]+\])$`), repl: "${1}<N>",
		before: "I-node number:            10025917",
		after:  "I-node number:            <N>",
	},
	{
		name: "ls -li, ls -lai",
		doc:  "the inode column (bare ls -i is not masked: its rows read as wc's counts)",
		re:   regexp.MustCompile(`^(\s*)\d+( [-bcdlps][-rwxsStT]{9}[.+@]? )`), repl: "${1}<N>${2}",
		before: " 9994712 -rwxr-xr-x 1 root root 17448 Dec  1 23:43 leak",
		after:  " <N> -rwxr-xr-x 1 root root 17448 <D> leak",
	},
	{
		name: "ls -l",
		doc:  "a row's modification time (Dec  1 23:43, Dec  1  2025)",
		re:   regexp.MustCompile(`^(.*[-bcdlps][-rwxsStT]{9}[.+@]?\s+\d+\s+.*\s)(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s`), repl: "${1}<D> ",
		before: "-rwxr-xr-x 1 root root 3 Dec  1 22:50 /etc/hostname",
		after:  "-rwxr-xr-x 1 root root 3 <D> /etc/hostname",
	},
	{
		name:   "Python: os.stat_result",
		doc:    "st_ino, st_dev and the times (st_atime, st_mtime, st_ctime); mode, size, links and owners stay",
		within: regexp.MustCompile(`\bstat_result\(`),
		re:     regexp.MustCompile(`\b(st_(?:atime|mtime|ctime|ino|dev))=\d+(?:\.\d+)?`), repl: "${1}=<N>",
		before: "os.stat_result(st_mode=16877, st_ino=2, st_dev=65024, st_nlink=21, st_uid=0, st_gid=0, st_size=4096, st_atime=1796166428, st_mtime=1796166389, st_ctime=1796166389)",
		after:  "os.stat_result(st_mode=16877, st_ino=<N>, st_dev=<N>, st_nlink=21, st_uid=0, st_gid=0, st_size=4096, st_atime=<N>, st_mtime=<N>, st_ctime=<N>)",
	},
	{
		name: "pipe and socket inodes",
		doc:  "the inode in pipe:[N], socket:[N] and a namespace's name",
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
		doc:  "the size before a path with a / or a leading . (88<TAB>./dir)",
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
		doc:  "the thread id that starts each line; code, routine, reason stay",
		re:   regexp.MustCompile(`^[0-9A-F]{8,16}(:error:[0-9A-F]{8}:)`), repl: "<TID>${1}",
		before: "40F709C16F7F0000:error:1E08010C:DECODER routines:OSSL_DECODER_from_bio:unsupported:../crypto/encode_decode/decoder_lib.c:103:No supported data to decode. Input type: PEM",
		after:  "<TID>:error:1E08010C:DECODER routines:OSSL_DECODER_from_bio:unsupported:../crypto/encode_decode/decoder_lib.c:103:No supported data to decode. Input type: PEM",
	},
	{
		name: "openssl genpkey, genrsa, dhparam: progress",
		doc:  "a line of its random progress dots and pluses is dropped",
		re:   regexp.MustCompile(`^\.[.+*]*\+\+\+[.+*]*$`), repl: "",
		before: "...............................+++++++++++++++++++++++++++++++++++++++++++++++++",
		after:  noLine,
	},
	{
		name:   "uptime, w, top",
		doc:    "the clock, the time up, the users and the load averages",
		re:     regexp.MustCompile(`^(\s*|top - )\d{1,2}:\d{2}:\d{2} up .+?,\s+\d+ users?,\s+load average: \d+[.,]\d+, \d+[.,]\d+, \d+[.,]\d+$`),
		repl:   "${1}<T> up <UPTIME>, <N> users, load average: <N>, <N>, <N>",
		before: " 04:49:23 up  5:58,  0 user,  load average: 1.09, 0.94, 1.46",
		after:  " <T> up <UPTIME>, <N> users, load average: <N>, <N>, <N>",
	},
	{
		name: "uptime -p",
		doc:  "how long the system is up",
		re:   regexp.MustCompile(`^up \d+ (?:year|week|day|hour|minute)s?(?:, \d+ (?:year|week|day|hour|minute)s?)*$`), repl: "up <UPTIME>",
		before: "up 5 hours, 58 minutes",
		after:  "up <UPTIME>",
	},
	{
		name:   "top: summary",
		doc:    "the numbers of its Tasks, %Cpu(s), Mem, Swap lines, one space before each",
		within: regexp.MustCompile(`^(?:Tasks|Threads): +\d+ total,|^%Cpu(?:\(s\)|\d+) *:|^[KMGTPE]iB (?:Mem|Swap) ?:`),
		re:     regexp.MustCompile(`([:,]|used\.)\s*\d+(?:\.\d+)?\b`), repl: "${1} <N>",
		before: "%Cpu(s):100.0 us,  0.0 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st",
		after:  "%Cpu(s): <N> us, <N> sy, <N> ni, <N> id, <N> wa, <N> hi, <N> si, <N> st",
	},
	{
		name: "Python: threading.Thread",
		doc:  "a thread's ident in its repr; its name, target and state stay",
		re:   regexp.MustCompile(`(<\w*Thread\((?:[^()]|\([^()]*\))*, (?:started|stopped|initial)(?: daemon)? )\d+\)>`), repl: "${1}<TID>)>",
		before: "<Thread(Thread-2 (sleep), started daemon 140421452465856)>",
		after:  "<Thread(Thread-2 (sleep), started daemon <TID>)>",
	},
	{
		name: "Python: multiprocessing.Process",
		doc:  "the parent's pid in its repr (pid= is generic); its name, state and exit code stay",
		re:   regexp.MustCompile(`(<\w*Process name='[^']*' pid=(?:\d+|<PID>) )parent=\d+`), repl: "${1}parent=<PID>",
		before: "<Process name='Process-1' pid=30614 parent=30515 stopped exitcode=0>",
		after:  "<Process name='Process-1' pid=<PID> parent=<PID> stopped exitcode=0>",
	},
	{
		name: "python -m timeit",
		doc:  "the number of loops it chose; the time per loop is a duration",
		re:   regexp.MustCompile(`^(?:\d+) (loops?, best of \d+: )`), repl: "<N> ${1}",
		before: "500000 loops, best of 5: 393 nsec per loop",
		after:  "<N> loops, best of 5: <DUR> per loop",
	},
	{
		name: "IPython %timeit",
		doc:  "the mean and deviation of a loop's time and the number of loops (chosen, or -n's), as it prints them or -o's TimeitResult shows them; the runs stay",
		re:   regexp.MustCompile(`^(<TimeitResult : )?` + ipyTime + ` ± ` + ipyTime + ` per loop (\(mean ± std\. dev\. of \d+ runs?, )[\d,]+( loops? each\)>?)$`), repl: "${1}<DUR> ± <DUR> per loop ${2}<N>${3}",
		before: "1.94 µs ± 449 ns per loop (mean ± std. dev. of 3 runs, 100,000 loops each)",
		after:  "<DUR> ± <DUR> per loop (mean ± std. dev. of 3 runs, <N> loops each)",
	},
	{
		name: "IPython %timeit: the slowest run",
		doc:  "the line that says one run took more than 4 times the fastest is dropped: it comes and goes with the machine's load",
		re:   regexp.MustCompile(`^The slowest run took \d+\.\d\d times longer than the fastest\. This could mean that an intermediate result is being cached\.$`), repl: "",
		before: "The slowest run took 5.13 times longer than the fastest. This could mean that an intermediate result is being cached.",
		after:  noLine,
	},
	{
		name: "IPython %timeit: Compiler time",
		doc:  "the time it took to compile the timed code, shown when over 0.1 s",
		re:   regexp.MustCompile(`^Compiler time: \d+\.\d\d s$`), repl: "Compiler time: <DUR>",
		before: "Compiler time: 0.12 s",
		after:  "Compiler time: <DUR>",
	},
	{
		name: "IPython %time, %%time: CPU times",
		doc:  "the user, system and total CPU times of the statement; the value it shows after stays",
		re:   regexp.MustCompile(`^CPU times: (?:user ` + ipyTime + `, sys: ` + ipyTime + `, )?total: ` + ipyTime + `$`), repl: "CPU times: user <DUR>, sys: <DUR>, total: <DUR>",
		before: "CPU times: user 1min 2s, sys: 3.02 ms, total: 1min 2s",
		after:  "CPU times: user <DUR>, sys: <DUR>, total: <DUR>",
	},
	{
		name: "IPython %time, %%time: Wall time",
		doc:  "the wall-clock time of the statement (and its compile and parse times, shown when over 0.1 s)",
		re:   regexp.MustCompile(`^(Wall time|Compiler |Parser   ): ` + ipyTime + `$`), repl: "${1}: <DUR>",
		before: "Wall time: 1e+03 ms",
		after:  "Wall time: <DUR>",
	},
	{
		name: "dd",
		doc:  "the time and the rate of its last line; the records and bytes stay",
		re:   regexp.MustCompile(`^(\d+ bytes (?:\([^)]*\) )?copied), \S+ s, \S+ [kMGTPEZY]?B/s$`), repl: "${1}, <DUR>, <N> B/s",
		before: "8388608 bytes (8.4 MB, 8.0 MiB) copied, 0.00240568 s, 3.5 GB/s",
		after:  "8388608 bytes (8.4 MB, 8.0 MiB) copied, <DUR>, <N> B/s",
	},
	{
		name: "getconf -a",
		doc:  "_AVPHYS_PAGES, the free memory; the limits and the other pages counts stay",
		re:   regexp.MustCompile(`^(_AVPHYS_PAGES\s+)\d+$`), repl: "${1}<N>",
		before: "_AVPHYS_PAGES                      5432578",
		after:  "_AVPHYS_PAGES                      <N>",
	},
	{
		name: "durations",
		doc:  "a number with msec, usec, nsec and their long names (seconds and ms are generic)",
		re:   regexp.MustCompile(`\b\d+(\.\d+)?\s?(msec|usec|nsec|milliseconds|microseconds|nanoseconds)\b`), repl: "<DUR>",
		before: "took 12.5 msec",
		after:  "took <DUR>",
	},
}

// ipyTime is a time as IPython's timing magics write it
// (IPython/core/magics/execution.py, _format_time, 8.5 and 7 alike):
// under a minute 3 significant digits ("%.3g", so "1e+03 ms" at the edge
// of a unit) and s, ms, µs (us where stdout cannot write µ) or ns; from a
// minute on the days, hours, minutes and whole seconds ("1h 2min 3s").
const ipyTime = `(?:\d+(?:\.\d+)?(?:e[+-]\d+)? (?:s|ms|µs|us|ns)|\d+(?:d|h|min|s)(?: \d+(?:h|min|s))*)`
