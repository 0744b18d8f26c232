package main

// The command tree. labrun's command line is github.com/spf13/cobra's (with
// spf13/pflag), the Go ecosystem's convention (kubectl, gh, hugo): GNU long
// and short options anywhere among the arguments (-j2, -j 2, --jobs=2),
// "labrun help COMMAND", help on stdout when asked for, shell completion
// and man pages made from the same definitions as the help. Each command's
// file defines its own (newRunCmd in run.go, newCheckCmd in check.go, ...);
// this file puts them together and says how help and mistakes look.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/labrun/labrun/internal/colour"
)

// usageAlso is the annotation of a command's other usage lines, shown
// under its "Usage:" line ("labrun run LESSON.md... -o DIR [flags]").
const usageAlso = "labrun:usage-also"

// newRoot makes the command tree; every command writes to stdout and
// stderr.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:              "labrun",
		Short:            "run Markdown lessons and write annotated transcripts",
		Long:             rootLong,
		Example:          rootExample,
		Version:          versionString(),
		PersistentPreRun: decideColour,
		Args:             unknownCommand,
		RunE: func(c *cobra.Command, _ []string) error {
			writeHelp(stderr, c) // "labrun" alone: the manual, as a mistake
			return &exitError{exitBadInput, errors.New("")}
		},
		SilenceErrors: true, // route says them, one line and a hint
		SilenceUsage:  true,
	}
	root.SuggestionsMinimumDistance = 2
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("labrun {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeHelp(c.OutOrStdout(), c) })
	root.AddCommand(
		newRunCmd(stdout, stderr),
		newCheckCmd(stdout, stderr),
		newReportCmd(stdout),
		newStripCmd(stdout),
		newTangleCmd(stderr),
		newHTMLCmd(stdout),
		newImportCmd(stdout),
		newExportCmd(stdout, stderr),
		newCleanCmd(stdout),
		newVersionCmd(stdout),
		&cobra.Command{Use: "lessons", Short: "which fences run, fence attributes, directives", Long: lessonsHelp},
		&cobra.Command{Use: "volatile", Short: "the volatile values of tools check masks, with examples", Long: volatileHelp},
		newManCmd(stderr),
	)
	root.SetHelpCommand(newHelpCmd())
	root.InitDefaultCompletionCmd()
	completionRefusesUnknownShells(root)
	return root
}

// colourFlag registers --color on a command that colours what it writes,
// with its three values for shell completion.
func colourFlag(c *cobra.Command) {
	c.Flags().Var(new(colour.Mode), "color", "colour the report: `WHEN` is auto, always or never (--color wins over NO_COLOR, which wins over the terminal guess)")
	c.RegisterFlagCompletionFunc("color", cobra.FixedCompletions([]cobra.Completion{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
}

// decideColour is the one place the colour is decided, before any
// command writes: --color where the command has it, then NO_COLOR, then
// whether standard output is a terminal (colour.Decide).
func decideColour(c *cobra.Command, _ []string) {
	mode := colour.Auto
	if f := c.Flags().Lookup("color"); f != nil {
		mode = *f.Value.(*colour.Mode)
	}
	colour.Use(colour.Decide(mode, os.Getenv, colour.StdoutIsTerminal()))
}

// unknownCommand refuses a word after labrun that names no command.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var known []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			known = append(known, sub.Name())
		}
	}
	msg := fmt.Sprintf("unknown command %q (known: %s)", args[0], strings.Join(known, ", "))
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return usageError(msg)
}

// usageHint is the line after a mistake: where cmd's help is.
func usageHint(cmd *cobra.Command) string {
	switch {
	case cmd == nil || !cmd.HasParent():
		return "Run 'labrun help' for usage."
	case cmd.Name() == "help" && !cmd.Parent().HasParent():
		return "Run 'labrun help' for the commands and topics."
	}
	return fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())
}

// writeHelp writes a command's help: its usage lines, its text (Long),
// its example, its subcommands and its flags, as the help text was
// written before labrun's command line moved to cobra. A help topic
// (labrun help lessons) is its text alone; the manual (labrun help) has
// its usage in its text.
func writeHelp(w io.Writer, c *cobra.Command) {
	topic := c.IsAdditionalHelpTopicCommand()
	if c.HasParent() && !topic {
		fmt.Fprintf(w, "Usage: %s\n", c.UseLine())
		for _, l := range strings.Split(c.Annotations[usageAlso], "\n") {
			if l != "" {
				fmt.Fprintf(w, "       %s\n", l)
			}
		}
		fmt.Fprintln(w)
	}
	long := c.Long
	if long == "" {
		long = c.Short + "\n"
	}
	io.WriteString(w, strings.TrimRight(long, "\n")+"\n")
	if c.Example != "" {
		fmt.Fprintf(w, "\nExample:\n%s\n", c.Example)
	}
	if topic {
		return
	}
	if c.HasParent() && c.HasAvailableSubCommands() {
		fmt.Fprintln(w, "\nCommands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(w, "  %-12s %s\n", sub.Name(), sub.Short)
			}
		}
	}
	c.InitDefaultHelpFlag() // listed too when "labrun help CMD" asks
	c.InitDefaultVersionFlag()
	writeFlags(w, "Flags:", c.LocalFlags())
	writeFlags(w, "Global flags:", c.InheritedFlags())
}

// writeFlags lists a flag set under a title, as pflag lays flags out
// ("  -j, --jobs N   check N lessons at once (default 2)").
func writeFlags(w io.Writer, title string, fs *pflag.FlagSet) {
	if fs.HasAvailableFlags() {
		fmt.Fprintf(w, "\n%s\n%s", title, fs.FlagUsages())
	}
}

// newHelpCmd is "labrun help [COMMAND | TOPIC]": the manual, a command's
// help, or a topic's text; a name that is none of these is a mistake.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND | TOPIC]",
		Short: "the manual, a command's help (labrun help check) or a topic's (labrun help lessons)",
		Long: `Prints the manual (labrun help), a command's help (labrun help run, the
same as labrun run --help) or a help topic (labrun help lessons).`,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if len(args) == 0 {
				for _, sub := range c.Root().Commands() {
					if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(sub.Name(), toComplete) {
						names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 || (len(args) > 0 && target == c.Root()) {
				return usageError(fmt.Sprintf("unknown help topic %q", strings.Join(args, " ")))
			}
			writeHelp(c.OutOrStdout(), target)
			return nil
		},
	}
}

// completionRefusesUnknownShells makes "labrun completion tcsh" (and
// "labrun completion" alone) a mistake rather than a help page: cobra's
// completion command takes no arguments and has no action of its own.
func completionRefusesUnknownShells(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, args []string) error {
			var shells []string
			for _, sub := range c.Commands() {
				shells = append(shells, sub.Name())
			}
			if len(args) == 0 {
				return usageError(fmt.Sprintf("completion: which shell? (%s)", strings.Join(shells, ", ")))
			}
			return usageError(fmt.Sprintf("completion: %q: no completion for that shell (%s)", args[0], strings.Join(shells, ", ")))
		}
	}
}
