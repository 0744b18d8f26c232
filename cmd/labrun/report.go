package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/labrun/labrun/check"
)

const reportUsage = `Usage: labrun report merge REPORT... [-o OUT]

Merges the reports of "labrun check" shards into one: JUnit XML files
(--junit) into one document, every lesson's testsuite sorted by name and
the counts summed; JSON event files (--json) into one, line by line.

Flags:
`

// reportCommand is "labrun report merge".
func reportCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", reportUsage, stderr)
	out := fs.String("o", "", "write the merged report to `OUT` (atomically) instead of standard output")
	if len(args) == 0 || args[0] != "merge" {
		return usageError("report: what to do? (labrun report merge A.xml B.xml -o all.xml)")
	}
	args = args[1:]
	var files []string
	more, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	files = append(files, more...)
	if len(files) == 0 {
		return usageError("report merge: which reports? (labrun report merge A.xml B.xml -o all.xml)")
	}
	first, err := os.ReadFile(files[0])
	if err != nil {
		return &exitError{exitBadInput, err}
	}
	var merged []byte
	if t := bytes.TrimSpace(first); len(t) > 0 && t[0] == '<' {
		doc, err := check.MergeJUnit(files)
		if err != nil {
			return &exitError{exitBadInput, err}
		}
		merged = doc.Marshal()
	} else if merged, err = mergeJSON(files); err != nil {
		return &exitError{exitBadInput, err}
	}
	if *out == "" {
		_, err := stdout.Write(merged)
		return err
	}
	return writeFile(*out, merged)
}

// mergeJSON joins JSON event files, checking every line is an event.
func mergeJSON(files []string) ([]byte, error) {
	var b bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 64<<20)
		for n := 1; sc.Scan(); n++ {
			var ev check.Event
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Event == "" {
				return nil, fmt.Errorf("%s:%d: not a labrun check event (neither JUnit XML nor JSON events)", f, n)
			}
			b.Write(sc.Bytes())
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}
