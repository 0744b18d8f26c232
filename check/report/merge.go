package report

import (
	"bytes"
	"os"
)

// Merge merges the reports of "labrun check" shards into one: JUnit XML
// files into one document (MergeJUnit), JSON event files into one, line
// by line (MergeJSON); the first file says which they are.
func Merge(files []string) ([]byte, error) {
	first, err := os.ReadFile(files[0])
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(first); len(t) > 0 && t[0] == '<' {
		doc, err := MergeJUnit(files)
		if err != nil {
			return nil, err
		}
		return doc.Marshal(), nil
	}
	return MergeJSON(files)
}
