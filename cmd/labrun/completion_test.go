package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// bashCompletion is the bash-completion package's library, which the
// script of "labrun completion bash" (cobra's) needs, as every cobra
// program's does (Debian's bash-completion; .ci/run installs it).
const bashCompletion = "/usr/share/bash-completion/bash_completion"

// TestCompletionBash sources "labrun completion bash" in an interactive
// bash under a pty and presses Tab: "labrun ch" completes to "labrun
// check", "labrun check --sha" to "labrun check --shard".
func TestCompletionBash(t *testing.T) {
	if _, err := os.Stat(bashCompletion); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI without the bash-completion library: %v", err)
		}
		t.Skipf("no bash-completion library (%v)", err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	if err := os.Symlink(labrunBinary(t), filepath.Join(dir, "labrun")); err != nil {
		t.Fatal(err)
	}
	script, err := exec.Command(filepath.Join(dir, "labrun"), "completion", "bash").Output()
	if err != nil {
		t.Fatalf("labrun completion bash: %v", err)
	}
	rc := "source " + bashCompletion + "\nsource " + filepath.Join(dir, "labrun.bash") + "\nPS1='$ '\n"
	for name, text := range map[string]string{"labrun.bash": string(script), "rc": rc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bash, "--noprofile", "--rcfile", filepath.Join(dir, "rc"), "-i")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "HOME=" + dir, "TERM=dumb", "HISTFILE=/dev/null"}
	ptm, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 200})
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer func() {
		ptm.Close()
		cmd.Process.Kill()
		cmd.Wait()
	}()
	var mu sync.Mutex
	var out bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	// Type the start, press Tab, then go to the line's start (Ctrl-A)
	// and make it an echo: the completed line is printed on a line of
	// its own.
	for _, c := range []struct{ typed, want string }{
		{"labrun ch", "labrun check"},
		{"labrun check --sha", "labrun check --shard"},
	} {
		ptm.WriteString(c.typed + "\t")
		time.Sleep(500 * time.Millisecond) // Tab's completion, before the next keys
		ptm.WriteString("\x01echo \r")
		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			got := strings.ReplaceAll(out.String(), "\r", "")
			mu.Unlock()
			if strings.Contains(got, "\n"+c.want+" \n") || strings.Contains(got, "\n"+c.want+"\n") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q then Tab: no line %q; the terminal shows:\n%s", c.typed, c.want, got)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
