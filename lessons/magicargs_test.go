package lessons

import (
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestMagicArgs: magicArgs splits as IPython's arg_split does. The table
// holds IPython's answers; where IPython is installed, random strings are
// split by both and compared.
func TestMagicArgs(t *testing.T) {
	tests := map[string][]string{
		`"my file.txt"`:  {`"my file.txt"`},
		`'a b'`:          {`'a b'`},
		`a\ b`:           {`a\`, `b`},
		`"a"b`:           {`"a"`, `b`},
		`a"b c"`:         {`a"b`, `c"`},
		`"a b""c d"`:     {`"a b"`, `"c d"`},
		`"a\"b"`:         {`"a\"`, `b"`},
		"  x \t y ":      {"x", "y"},
		`""`:             {`""`},
		`it's`:           {`it's`},
		``:               nil,
		`-a "x y" --app`: {"-a", `"x y"`, "--app"},
	}
	for in, want := range tests {
		got, err := magicArgs(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("magicArgs(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`"a b`, `x 'a b`} {
		if _, err := magicArgs(in); err == nil {
			t.Errorf("magicArgs(%q): no error for an open quote", in)
		}
	}

	if exec.Command("python3", "-c", "import IPython.utils.process").Run() != nil {
		t.Log("IPython is not installed: the table only")
		return
	}
	rng := rand.New(rand.NewPCG(15, 8))
	pieces := []string{`"`, `'`, " ", "\t", "a", "b c", `\`, "-", "~", "é"}
	var inputs []string
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		inputs = append(inputs, b.String())
	}
	in, _ := json.Marshal(inputs)
	cmd := exec.Command("python3", "-c", `import json, sys
from IPython.utils.process import arg_split
out = []
for s in json.load(sys.stdin):
    try:
        out.append(arg_split(s))
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)`)
	cmd.Stdin = strings.NewReader(string(in))
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("IPython's arg_split: %v", err)
	}
	var want [][]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range inputs {
		got, err := magicArgs(s)
		if (err != nil) != (want[i] == nil) || !slices.Equal(got, want[i]) {
			t.Errorf("magicArgs(%q) = %q, %v; IPython: %q", s, got, err, want[i])
		}
	}
}
