package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newManCmd is "labrun gen-man DIR" (hidden; make man runs it): a man page
// for every command and help topic, made by cobra/doc from the same
// definitions as the help.
func newManCmd(stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:    "gen-man DIR",
		Short:  "write labrun's man pages into DIR",
		Hidden: true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("gen-man: which folder? (labrun gen-man DIR)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			n, err := writeMan(c.Root(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "labrun: %d man pages written to %s\n", n, args[0])
			return nil
		},
	}
}

// writeMan writes the man pages of root's tree into dir and says how many.
// The help texts are laid out for a terminal (columns, indented lists,
// <!-- labrun: ... --> directives), not as Markdown, which cobra/doc reads
// them as: each is given to it as one preformatted block.
func writeMan(root *cobra.Command, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var topics []*cobra.Command
	eachCommand(root, func(c *cobra.Command) {
		c.Long = preformatted(c.Long)
		c.DisableAutoGenTag = true
		if c.IsAdditionalHelpTopicCommand() {
			topics = append(topics, c)
		}
	})
	header := &doc.GenManHeader{Title: "LABRUN", Section: "1", Source: "labrun " + versionString(), Manual: "labrun manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return 0, err
	}
	for _, t := range topics { // cobra/doc leaves help topics out
		f, err := os.Create(filepath.Join(dir, strings.ReplaceAll(t.CommandPath(), " ", "-")+".1"))
		if err != nil {
			return 0, err
		}
		err = doc.GenMan(t, header, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
	}
	pages, err := filepath.Glob(filepath.Join(dir, "labrun*.1"))
	return len(pages), err
}

// eachCommand calls f on c and every command under it.
func eachCommand(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		eachCommand(sub, f)
	}
}

// preformatted makes text one Markdown code block (indented 4 spaces).
func preformatted(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n")
}
