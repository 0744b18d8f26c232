package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/lessons"
)

func TestParse(t *testing.T) {
	c, err := Parse("labrun.toml", []byte(`
magics = "2019"
ipython = "7"
umask = "002"
timeout = "30s"
unset = ["PYTHONUNBUFFERED"]
[locale]
LC_TIME = "ru_RU.UTF-8"
LANG = "en_US.UTF-8"
[env]
EDITOR = "true"
[limits]
cpu = 60
fsize = "10M"
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Magics != lessons.Magics2019 || c.IPython != IPython7 || c.Umask == nil || *c.Umask != 0o002 || c.Timeout.String() != "30s" {
		t.Errorf("got %+v", c)
	}
	if want := []string{"LANG=en_US.UTF-8", "LC_TIME=ru_RU.UTF-8", "EDITOR=true"}; !slices.Equal(c.Env, want) {
		t.Errorf("env %q, want %q", c.Env, want)
	}
	if want := (limits.Limits{CPUSeconds: 60, FileSize: 10 << 20}); c.Limits != want {
		t.Errorf("limits %+v, want %+v", c.Limits, want)
	}
	if !slices.Equal(c.Unset, []string{"PYTHONUNBUFFERED"}) {
		t.Errorf("unset %q", c.Unset)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"magics = \"2030\"", `labrun.toml:1: magics = "2030": known versions`},
		{"ipython = \"6\"", `labrun.toml:1: ipython = "6": known versions are "8" and "7"`},
		{"umask = \"999\"", "labrun.toml:1: umask"},
		{"\ntimeout = \"-1s\"", "labrun.toml:2: timeout"},
		{"# a course\nmagics = \"2019\"\ncolour = 1", "labrun.toml:3: unknown setting colour"},
		{"[env]\nA = \"1\"\n[bogus]\nx = 1", "labrun.toml:3: unknown setting bogus"},
		{"[locale]\nPATH = \"/\"", "labrun.toml:2: [locale] PATH: not a locale variable"},
		{"[limits]\ncpu = 0", "labrun.toml:2: [limits] cpu=0: want a positive whole number"},
		{"[limits]\nmem = 1", `unknown limit "mem"`},
		{"[limits]\nnofile = \"unlimited\"", "nofile=unlimited: the kernel caps open files"},
		{"\n\nmagics = ", "labrun.toml:3: "},
		{"unset = \"PYTHONUNBUFFERED\"", "labrun.toml:1: unset: want an array of strings, not a string"},
		{"magics = 2019", "labrun.toml:1: magics: want a string, not an integer"},
		{"[locale]\nLANG = \"C\"\n\n[env]\n\"odd key\" = 2", `labrun.toml:5: env."odd key": want a string, not an integer`},
		{"env.X = [1]", "labrun.toml:1: env.X: want a string, not an array"},
	} {
		_, err := Parse("labrun.toml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.src, err, tc.want)
		}
	}
}

// TestUnlimited: cpu, fsize and as may be "unlimited" (no limit set,
// the inherited one stays: limits.Unlimited).
func TestUnlimited(t *testing.T) {
	c, err := Parse("labrun.toml", []byte("[limits]\ncpu = \"unlimited\"\nfsize = \"unlimited\"\nas = \"unlimited\""))
	if err != nil {
		t.Fatal(err)
	}
	if want := (limits.Limits{CPUSeconds: limits.Unlimited, FileSize: limits.Unlimited, AddressSpace: limits.Unlimited}); c.Limits != want {
		t.Errorf("limits %+v, want %+v", c.Limits, want)
	}
}

func TestForLesson(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "course", "sem01")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	lesson := filepath.Join(deep, "lesson.md")
	if c, err := ForLesson(lesson, ""); err != nil || c != nil {
		t.Fatalf("no config: got %v, %v", c, err)
	}
	course := filepath.Join(root, "course", FileName)
	if err := os.WriteFile(course, []byte(`magics = "2019"`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ForLesson(lesson, "")
	if err != nil || c == nil || c.Path != course || c.Magics != lessons.Magics2019 {
		t.Fatalf("found %+v, %v; want %s", c, err, course)
	}
	other := filepath.Join(root, "other.toml")
	if err := os.WriteFile(other, []byte(`magics = "current"`), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := ForLesson(lesson, other); err != nil || c.Magics != lessons.MagicsCurrent {
		t.Fatalf("--config: got %+v, %v", c, err)
	}
}
