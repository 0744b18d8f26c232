package colour

import (
	"testing"
)

func TestDecide(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	cases := []struct {
		mode     Mode
		env      map[string]string
		terminal bool
		want     bool
	}{
		{Always, map[string]string{"NO_COLOR": "1"}, false, true},
		{Always, map[string]string{"TERM": "dumb"}, false, true},
		{Never, nil, true, false},
		{Auto, map[string]string{"NO_COLOR": "1"}, true, false},
		{Auto, map[string]string{"NO_COLOR": ""}, true, true},
		{Auto, map[string]string{"TERM": "dumb"}, true, false},
		{Auto, nil, false, false},
		{Auto, nil, true, true},
	}
	for _, c := range cases {
		if got := Decide(c.mode, env(c.env), c.terminal); got != c.want {
			t.Errorf("Decide(%s, %v, terminal=%v) = %v, want %v", modeNames[c.mode], c.env, c.terminal, got, c.want)
		}
	}
}

func TestModeFlag(t *testing.T) {
	var m Mode
	for _, s := range []string{"always", "never", "auto"} {
		if err := m.Set(s); err != nil || m.String() != s {
			t.Errorf("Set(%q): %v, then String() = %q", s, err, m.String())
		}
	}
	if err := m.Set("sometimes"); err == nil {
		t.Error(`Set("sometimes") took it`)
	}
}

// TestUseWinsOverNoColor: with NO_COLOR set before any colour object is
// made (fatih/color's objects read it when made), Use(true) still colours.
func TestUseWinsOverNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	defer Use(On())
	Use(true)
	if got, want := Green("ok"), "\x1b[32mok\x1b[0m"; got != want {
		t.Errorf("Green(ok) = %q, want %q", got, want)
	}
	if got, want := Bold("%s %d", "n", 2), "\x1b[1mn 2\x1b[22m"; got != want {
		t.Errorf("Bold = %q, want %q", got, want)
	}
	Use(false)
	if got := Red("FAIL"); got != "FAIL" {
		t.Errorf("Red(FAIL) after Use(false) = %q, want it plain", got)
	}
}
