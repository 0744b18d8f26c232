package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// newVersionCmd is "labrun version" (labrun --version says the same).
func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print labrun's version and the VCS revision it was built from",
		Long: `Prints one line: "labrun", the module version and, when the binary was
built from a checkout, the VCS revision ("-dirty" when it had changes).
`,
		Args: cobra.NoArgs,
		Run:  func(*cobra.Command, []string) { fmt.Fprintln(stdout, "labrun", versionString()) },
	}
}

// revision is the VCS revision set at build time (make build:
// -ldflags "-X main.revision=..."), used when the build info has none.
var revision = ""

// versionString is the module version and the VCS revision labrun was
// built from ("v1.2.0 3f2a9c1d0e4b", "(devel) 3f2a9c1d0e4b-dirty"), as
// debug.ReadBuildInfo gives them; -ldflags "-X main.version=..." wins
// over the module version.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = &debug.BuildInfo{}
	}
	v := version
	if v == "dev" && info.Main.Version != "" {
		v = info.Main.Version
	}
	rev, dirty := revision, ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return v + " " + rev + dirty
}
