// Package config reads labrun.toml: the recording environment a course
// shares across its lessons (the version of the course's magics, the
// umask and locale of the machines it was recorded on, extra environment,
// the step timeout and resource limits). A lesson's directives override
// it; labrun's flags override both (cmd/labrun applies that order).
//
// The file is found as go.mod is: in the lesson's folder or the nearest
// folder above it. It is TOML, read with BurntSushi/toml:
//
//	magics = "2019"          # or "current" (the default): lessons.Magics*
//	ipython = "7"            # or "8" (the default)
//	umask = "002"
//	timeout = "10s"
//	unset = ["PYTHONUNBUFFERED"]
//	[locale]
//	LANG = "en_US.UTF-8"
//	[env]
//	EDITOR = "true"
//	[limits]
//	cpu = 60
//	fsize = "10M"            # or "unlimited" (cpu, fsize, as): no limit set
//
// A limit of "unlimited" (limits.Unlimited) gives up labrun's default
// guard against a runaway step: the step has the limit labrun inherited,
// as the course's recordings show it (ulimit -a). nofile cannot be
// unlimited: the kernel caps it.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/labrun/labrun/internal/limits"
	"github.com/labrun/labrun/lessons"
)

// FileName is the name labrun looks for above a lesson.
const FileName = "labrun.toml"

// The IPython versions whose behaviour labrun knows where it differs.
const (
	// IPython8 is IPython 8 (Debian bookworm's 8.5, the default): the
	// script magics (%%bash, %%sh) stream a cell's output a line at a
	// time as the pipes deliver it (IPython/core/magics/script.py,
	// ScriptMagics.shebang, _handle_stream: write and flush each line).
	IPython8 = "8"
	// IPython7 is IPython 7 and older, which the caos_2019-2020 lessons
	// were recorded with: the script magics wait for the end of the cell
	// and show all its stdout, then all its stderr (ScriptMagics.shebang:
	// p.communicate(cell), then sys.stdout.write(out), sys.stderr.write(err),
	// each flushed; checked in Debian bullseye's python3-ipython 7.20).
	IPython7 = "7"
)

// CheckIPython refuses an IPython version labrun does not know.
func CheckIPython(v string) error {
	if v != IPython8 && v != IPython7 {
		return fmt.Errorf("ipython = %q: known versions are %q and %q", v, IPython8, IPython7)
	}
	return nil
}

// Config is what a labrun.toml holds; zero fields are unset.
type Config struct {
	// Path is the file it was read from.
	Path string
	// Magics is the version of the course's magics ("current", "2019").
	Magics string
	// IPython is the major version of the IPython the course was
	// recorded with ("8", "7"); "" is the default, IPython8.
	IPython string
	// Umask, when set, is the file mode mask every step starts with.
	Umask *uint32
	// Env are the locale and extra variables steps see, as KEY=VALUE,
	// sorted by key (locale first).
	Env []string
	// Unset are variables of labrun's own environment that steps do not
	// see (e.g. PYTHONUNBUFFERED where labrun runs, absent where the
	// course was recorded).
	Unset []string
	// Timeout, when non-zero, is the default step timeout.
	Timeout time.Duration
	// Limits are the resource limits of every step (zero: unset).
	Limits limits.Limits
}

// file is the TOML layout.
type file struct {
	Magics  string            `toml:"magics"`
	IPython string            `toml:"ipython"`
	Umask   string            `toml:"umask"`
	Timeout string            `toml:"timeout"`
	Locale  map[string]string `toml:"locale"`
	Env     map[string]string `toml:"env"`
	Limits  map[string]any    `toml:"limits"`
	Unset   []string          `toml:"unset"`
}

// Find returns the labrun.toml in dir or the nearest folder above it, or
// "" when there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(abs, FileName)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p, nil
		}
		up := filepath.Dir(abs)
		if up == abs {
			return "", nil
		}
		abs = up
	}
}

// ForLesson returns the config of the lesson at lessonPath: the file
// given (--config), or else the labrun.toml found from the lesson's
// folder up; nil when there is none.
func ForLesson(lessonPath, given string) (*Config, error) {
	path := given
	if path == "" {
		var err error
		if path, err = Find(filepath.Dir(lessonPath)); err != nil || path == "" {
			return nil, err
		}
	}
	return Load(path)
}

// Load reads and checks the config file at path. Errors name the file
// and the line: a syntax error's, or that of the setting it is about
// (keys.go finds it).
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	return Parse(path, src)
}

// Parse reads a config file's bytes; name is used in messages.
func Parse(name string, src []byte) (*Config, error) {
	var f file
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", name, pe.Position.Line, pe.Message)
		}
		if key, got, want := badValue(string(src)); key != nil {
			return nil, fmt.Errorf("%s: %s: want %s, not %s", at(name, string(src), key), key, want, article(got))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown setting %s (known: magics, ipython, umask, timeout, unset, [locale], [env], [limits])", at(name, string(src), und[0]), und[0])
	}
	c := &Config{Path: name, Magics: f.Magics, IPython: f.IPython, Unset: f.Unset}
	bad := func(key toml.Key, format string, a ...any) error {
		return fmt.Errorf("%s: %s", at(name, string(src), key), fmt.Sprintf(format, a...))
	}
	if c.Magics != "" {
		if err := lessons.CheckMagics(c.Magics); err != nil {
			return nil, bad(toml.Key{"magics"}, "%v", err)
		}
	}
	if c.IPython != "" {
		if err := CheckIPython(c.IPython); err != nil {
			return nil, bad(toml.Key{"ipython"}, "%v", err)
		}
	}
	if f.Umask != "" {
		u, err := strconv.ParseUint(f.Umask, 8, 32)
		if err != nil || u > 0o777 {
			return nil, bad(toml.Key{"umask"}, "umask = %q: want an octal mask such as \"022\" or \"002\"", f.Umask)
		}
		u32 := uint32(u)
		c.Umask = &u32
	}
	if f.Timeout != "" {
		d, err := time.ParseDuration(f.Timeout)
		if err != nil || d <= 0 {
			return nil, bad(toml.Key{"timeout"}, "timeout = %q: want a positive duration such as 10s or 1m", f.Timeout)
		}
		c.Timeout = d
	}
	for _, k := range sortedKeys(f.Locale) {
		if k != "LANG" && k != "LANGUAGE" && !strings.HasPrefix(k, "LC_") {
			return nil, bad(toml.Key{"locale", k}, "[locale] %s: not a locale variable (LANG, LANGUAGE, LC_*); put it under [env]", k)
		}
		c.Env = append(c.Env, k+"="+f.Locale[k])
	}
	for _, k := range sortedKeys(f.Env) {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.Contains(f.Env[k], "\x00") {
			return nil, bad(toml.Key{"env", k}, "[env] %q: not a variable name", k)
		}
		c.Env = append(c.Env, k+"="+f.Env[k])
	}
	for _, k := range sortedKeys(f.Limits) {
		var v string
		switch x := f.Limits[k].(type) {
		case int64:
			v = strconv.FormatInt(x, 10)
		case string:
			v = x
		default:
			return nil, bad(toml.Key{"limits", k}, "[limits] %s = %v: want a number, a size such as \"10M\", or \"unlimited\"", k, x)
		}
		ok, err := c.Limits.Set(k, v)
		switch {
		case !ok:
			return nil, bad(toml.Key{"limits", k}, "[limits] unknown limit %q (known: %s)", k, limits.Keys)
		case err != nil:
			return nil, bad(toml.Key{"limits", k}, "[limits] %v", err)
		}
	}
	return c, nil
}

// at is "name:LINE", the line where key is set, or name when it is not
// found.
func at(name, src string, key toml.Key) string {
	if n := keyLine(src, key); n > 0 {
		return fmt.Sprintf("%s:%d", name, n)
	}
	return name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
