package proc

import (
	"bufio"
	"go/constant"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// gateShared are the values the C gate (gate.h, gate.c) and the run's
// init (pidinit.c) repeat from Go,
// by the name of their #define.
var gateShared = map[string]any{
	"LABRUN_GATE_VAR":                   gateVar,
	"LABRUN_NETNS_VAR":                  netnsVar,
	"LABRUN_PLAN_VERSION":               gatePlanVersion,
	"LABRUN_PLAN_TRUE":                  planTrue,
	"LABRUN_PIDNS_INIT_VAR":             pidInitVar,
	"LABRUN_PIDNS_INIT_NAME":            pidInitName,
	"LABRUN_HOLDER_READY":               holderReady,
	"LABRUN_GATE_FAILED":                gateFailed,
	"LABRUN_GATE_FAIL_PREFIX":           gateFailPrefix,
	"LABRUN_FIRST_EXTRA_FD":             firstExtraFD,
	"LABRUN_CLOSE_WITHOUT_CLOSE_RANGE":  closeWithoutCloseRange,
	"LABRUN_KERNEL_NSIG":                kernelNSig,
	"LABRUN_KERNEL_SIGSET_BYTES":        kernelSigsetBytes,
	"LABRUN_LANDLOCK_RULE_PATH_BENEATH": unix.LANDLOCK_RULE_PATH_BENEATH,
	"SYS_close_range":                   unix.SYS_CLOSE_RANGE,
	"CLOSE_RANGE_CLOEXEC":               unix.CLOSE_RANGE_CLOEXEC,
	"SYS_landlock_create_ruleset":       unix.SYS_LANDLOCK_CREATE_RULESET,
	"SYS_landlock_add_rule":             unix.SYS_LANDLOCK_ADD_RULE,
	"SYS_landlock_restrict_self":        unix.SYS_LANDLOCK_RESTRICT_SELF,
}

// gateOwnDefines are the C files' defines that repeat nothing of Go's.
var gateOwnDefines = map[string]bool{"_GNU_SOURCE": true, "LABRUN_GATE_H": true}

// TestGateSharesGoConstants reads every #define of the C gate and checks
// it against the Go constant it repeats, so that the two gates cannot
// drift apart; and the string values appear in the C files only through
// their defines.
func TestGateSharesGoConstants(t *testing.T) {
	seen := map[string]bool{}
	for _, file := range cFiles {
		for name, val := range cDefines(t, file) {
			seen[name] = true
			if gateOwnDefines[name] {
				continue
			}
			want, ok := gateShared[name]
			if !ok {
				t.Errorf("%s: #define %s repeats no Go constant known to this test: add it to gateShared or gateOwnDefines", file, name)
				continue
			}
			got, goV := cValue(t, file, name, val), goValue(want)
			if got.Kind() != goV.Kind() || !constant.Compare(got, token.EQL, goV) {
				t.Errorf("%s: #define %s is %s; the Go side has %v", file, name, val, want)
			}
		}
	}
	for name := range gateShared {
		if !seen[name] {
			t.Errorf("gateShared names %s, which none of %v defines", name, cFiles)
		}
	}
	for _, file := range cFiles[1:] {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range gateShared {
			if s, ok := v.(string); ok && strings.Contains(string(src), strconv.Quote(s)) {
				t.Errorf("%s spells %q out: use %s (gate.h)", file, s, name)
			}
		}
	}
}

// cFiles are the package's C files: the header first.
var cFiles = []string{"gate.h", "gate.c", "pidinit.c"}

// defineLine is a C #define of an object-like macro with a value.
var defineLine = regexp.MustCompile(`^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+(.*?))?\s*$`)

// cDefines returns the #defines of a C file, by name, with their values
// as written (trailing comments removed).
func cDefines(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := defineLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		val, _, _ := strings.Cut(m[2], "//")
		out[m[1]] = strings.TrimSpace(val)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// cUnsigned is a C integer literal's unsigned suffix.
var cUnsigned = regexp.MustCompile(`\b(\d+)[uU]\b`)

// cValue evaluates a define's value, a C constant expression that is
// also Go's (a string, a number, a shift), as a constant.
func cValue(t *testing.T, file, name, val string) constant.Value {
	t.Helper()
	tv, err := types.Eval(token.NewFileSet(), nil, token.NoPos, cUnsigned.ReplaceAllString(val, "$1"))
	if err != nil || tv.Value == nil {
		t.Fatalf("%s: #define %s %s: not a constant this test reads: %v", file, name, val, err)
	}
	return tv.Value
}

// goValue is a Go constant's value, for comparing.
func goValue(v any) constant.Value {
	switch v := v.(type) {
	case string:
		return constant.MakeString(v)
	case int:
		return constant.MakeInt64(int64(v))
	case uint:
		return constant.MakeUint64(uint64(v))
	}
	panic("gateShared: a value of an unexpected type")
}
