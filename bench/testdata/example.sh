#!/bin/bash
# The shell-visible work of examples/fifo/lesson.md as a plain bash script:
# the same files written (heredocs), the same compiles, the same runs and
# the same FIFO dance (background jobs with & and wait), in the same order,
# with no transcript, no pty, no Python kernel and no stuck detection.
# bench/BenchmarkShellScript times it against labrun on the lesson.
#
# Run it in an empty scratch folder:  bash example.sh
# bench_test.go checks that every file body and %run command of the lesson
# appears here; update both together.
set -u

# interrupt_when_stuck PID: what labrun does to a step that can never
# progress, without labrun's quiet period: wait until PID sleeps in
# wait_for_partner (open() of a FIFO with no partner), then Ctrl-C it.
interrupt_when_stuck() {
  local n=0
  until [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = wait_for_partner ]; do
    n=$((n + 1)); [ $n -lt 500 ] || break
    sleep 0.01
  done
  kill -INT "$1"
}

# opened PID: wait until PID has my_fifo open (a reader started with & may
# not have reached its open() yet when the next command runs; labrun's
# slower steps hide that race, a script has to wait for it).
opened() {
  local n=0
  until ls -l "/proc/$1/fd" 2>/dev/null | grep -q '/my_fifo$'; do
    n=$((n + 1)); [ $n -lt 500 ] || break
    sleep 0.01
  done
}

# --- cell 0-1: make the FIFO, stat it
rm -f my_fifo
mkfifo my_fifo
fifo=my_fifo
stat -c '%n is a %F of %s bytes' $fifo
kinds=$(stat -c '%n: %F' my_fifo /dev/null)
echo "kinds = $kinds"
echo "len(kinds) = $(echo "$kinds" | wc -l)"

# --- cell 2: %%sh
sh <<'EOF_SH'
mkfifo spare_fifo
ls
rm spare_fifo
[ -e spare_fifo ] || echo "spare_fifo removed, my_fifo still there"
EOF_SH

# --- cell 3: a writer with no reader blocks in open(); Ctrl-C it
set -m # job control: a background job then takes SIGINT
sh -c 'echo hi > my_fifo' &
interrupt_when_stuck $!
wait $!
echo "exit $?"
set +m

# --- cells 4-6: background writer, foreground reader
bash -c "printf 'one\\ntwo\\n' > my_fifo && echo 'the writer got past open()'" &
a=$!
cat my_fifo
wait $a

# --- cell 7: the C writer
cat > fifo_writer.c <<'EOF_C'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char* argv[]) {
    int nonblock = argc > 2 && strcmp(argv[1], "--nonblock") == 0;
    const char* path = argv[argc - 1];

    fprintf(stderr, "writer: opening %s%s\n", path, nonblock ? " with O_NONBLOCK" : "");
    int fd = open(path, O_WRONLY | (nonblock ? O_NONBLOCK : 0));
    if (fd < 0) {
        fprintf(stderr, "writer: open failed: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "writer: opened, a reader is there\n");

    char buf[4096];
    size_t total = 0;
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
        if (write(fd, buf, n) != n) {
            fprintf(stderr, "writer: write failed: %s\n", strerror(errno));
            return 1;
        }
        total += n;
    }
    fprintf(stderr, "writer: stdin ended after %zu bytes, closing the FIFO\n", total);
    close(fd);
    return 0;
}
EOF_C
gcc -Wall -O2 fifo_writer.c -o fifo_writer
./fifo_writer --nonblock my_fifo < /dev/null
echo 'A blocking `open()` would have waited here, like `sh` did above.'

# --- cell 8: the assembly function
cat > count_lines.S <<'EOF_S'
    .intel_syntax noprefix
    .text
    .globl count_lines
count_lines:
    xor eax, eax                // lines found so far
    test rsi, rsi
    jz done
next:
    xor ecx, ecx
    cmp byte ptr [rdi], 10      // '\n'?
    sete cl
    add rax, rcx
    inc rdi
    dec rsi
    jnz next
done:
    ret
    .section .note.GNU-stack,"",@progbits
EOF_S
gcc -c count_lines.S -o count_lines.o
nm count_lines.o

# --- cells 9-11: the C reader, its makefile, make twice
cat > fifo_reader.c <<'EOF_C'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t count_lines(const char* buf, size_t len);  // count_lines.S

int main(int argc, char* argv[]) {
    int nonblock = argc > 2 && strcmp(argv[1], "--nonblock") == 0;
    const char* path = argv[argc - 1];
    setvbuf(stdout, NULL, _IONBF, 0);

    printf("reader: opening %s%s\n", path, nonblock ? " with O_NONBLOCK" : "");
    int fd = open(path, O_RDONLY | (nonblock ? O_NONBLOCK : 0));
    if (fd < 0) {
        printf("reader: open failed: %s\n", strerror(errno));
        return 1;
    }
    printf("reader: opened\n");

    char buf[4096];
    size_t lines = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            fwrite(buf, 1, n, stdout);
            lines += count_lines(buf, n);
        } else if (n == 0) {
            printf("reader: end of file after %zu lines, no writer left\n", lines);
            break;
        } else if (errno == EAGAIN) {
            printf("reader: EAGAIN, a writer exists but sent nothing yet\n");
            break;
        } else {
            printf("reader: read failed: %s\n", strerror(errno));
            return 1;
        }
    }
    close(fd);
    return 0;
}
EOF_C
cat > makefile <<'EOF_MK'
CFLAGS = -Wall -O2

fifo_reader: fifo_reader.c count_lines.S
	$(CC) $(CFLAGS) fifo_reader.c count_lines.S -o fifo_reader

clean:
	rm -f fifo_reader fifo_writer *.o
EOF_MK
make fifo_reader
make fifo_reader

# --- cell 12: non-blocking reader, no writer
./fifo_reader --nonblock $fifo

# --- cells 13-14: CMakeLists.txt, written and shown
cat > CMakeLists.txt <<'EOF_CM'
cmake_minimum_required(VERSION 3.10)
project(fifo_lesson C ASM)

add_executable(fifo_writer fifo_writer.c)
add_executable(fifo_reader fifo_reader.c count_lines.S)
EOF_CM
cat CMakeLists.txt

# --- cells 15-19: reader and writer side by side, the writer fed through
# its stdin (a coprocess) as TInteractiveLauncher.write does
./fifo_reader my_fifo &
r=$!
grep State /proc/$r/status
coproc W { ./fifo_writer my_fifo; }
w=$W_PID
printf 'first line\n' >&"${W[1]}"
printf 'second line\n' >&"${W[1]}"
eval "exec ${W[1]}>&- ${W[0]}<&-"
wait $w
wait $r

# --- cell 20: O_NONBLOCK in one process
cat > nonblock_probe.py <<'EOF_PY'
import errno
import os
import sys

path = sys.argv[1]

def try_open(flags, what):
    try:
        fd = os.open(path, flags | os.O_NONBLOCK)
        print(what, "-> opened")
        return fd
    except OSError as e:
        print(what, "->", errno.errorcode[e.errno])
        return None

try_open(os.O_WRONLY, "writer, no reader yet")
rfd = try_open(os.O_RDONLY, "reader")
wfd = try_open(os.O_WRONLY, "writer, reader present")

os.write(wfd, b"ping\n")
print("reader got", os.read(rfd, 100))
try:
    os.read(rfd, 100)
except BlockingIOError:
    print("second read -> EAGAIN: the writer is still open")

os.close(rfd)
try:
    os.write(wfd, b"anyone?\n")
except BrokenPipeError:
    print("write after the reader closed -> EPIPE")
os.close(wfd)
EOF_PY
python3 nonblock_probe.py my_fifo

# --- cell 21: %%writefile
cat > message.txt <<'EOF_TXT'
roses are red
FIFOs are blue
open blocks until
a partner comes through
EOF_TXT
echo "Writing message.txt"

# --- cell 22: %%bash
bash <<'EOF_BASH'
[[ -p my_fifo ]] && echo "my_fifo is a FIFO"
./fifo_reader my_fifo &
cat message.txt > my_fifo
wait
for i in {1..3}; do echo "bash line $i"; done > my_fifo &
./fifo_reader my_fifo | tail -n 1
wait
EOF_BASH

# --- cells 23-27: an O_RDWR holder (fd 4, kept from the children as the
# Python kernel's descriptor is)
exec 4<>"$fifo"
./fifo_reader --nonblock my_fifo 4>&-
./fifo_reader my_fifo 4>&- &
r=$!
opened $r
echo "from writer 1" > my_fifo
echo "from writer 2" > my_fifo
[ -e /proc/$r ] && echo True || echo False
exec 4>&-
wait $r
echo "The reader's log ends with its end of file, **after** both writers had already closed."

# --- cells 28-29: no holder: the reader stops after the first writer
./fifo_reader my_fifo &
r=$!
echo "from writer 3" > my_fifo
wait $r
./fifo_writer --nonblock $fifo < /dev/null
exit 0
