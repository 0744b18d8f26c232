// Package jupyter moves lessons in and out of Jupyter notebooks, with
// encoding/json, running no Python: Import lays a notebook out as the course's
// Markdown (jupyter nbconvert --to markdown, then the course's own
// post-processing, tools/save_them_all's "improve_md"), and Export turns
// a transcript, read with transcript.Parse, into an nbformat 4.5 notebook
// with its outputs.
//
// Files: notebook.go and marshal.go, nbformat read and written;
// import.go, a notebook as the course's Markdown; export.go, a
// transcript as a notebook; setup.go, the set-up cell an exported
// notebook gets first (AddSetup: the course's magics in Python,
// setup_cell.py, so that Jupyter runs it); sibling.go, the lesson's own
// notebook beside it, whose set-up cell says the lesson's magics
// (FindSibling).
package jupyter

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Notebook is an nbformat 4 notebook.
type Notebook struct {
	Cells         []Cell         `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// Cell is one notebook cell.
type Cell struct {
	ID             string         `json:"id,omitempty"`
	CellType       string         `json:"cell_type"`
	Metadata       map[string]any `json:"metadata"`
	Source         Text           `json:"source"`
	ExecutionCount *int           `json:"execution_count,omitempty"`
	Outputs        []Output       `json:"outputs,omitempty"`
}

// Output is one output of a code cell.
type Output struct {
	OutputType     string          `json:"output_type"`
	Name           string          `json:"name,omitempty"`            // stream
	Text           *Text           `json:"text,omitempty"`            // stream
	Data           map[string]Text `json:"data,omitempty"`            // display_data, execute_result
	Metadata       map[string]any  `json:"metadata,omitempty"`        // display_data, execute_result
	ExecutionCount *int            `json:"execution_count,omitempty"` // execute_result
	EName          string          `json:"ename,omitempty"`           // error
	EValue         string          `json:"evalue,omitempty"`          // error
	Traceback      []string        `json:"traceback,omitempty"`       // error
}

// Text is a notebook string, stored as one string or a list of lines.
type Text string

// UnmarshalJSON reads a string or a list of strings.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*t = Text(strings.Join(list, ""))
	return nil
}

// MarshalJSON writes the list of lines, each with its newline, as
// Jupyter does.
func (t Text) MarshalJSON() ([]byte, error) {
	lines := strings.SplitAfter(string(t), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if lines == nil {
		lines = []string{}
	}
	return json.Marshal(lines)
}

// Parse reads a notebook; name is used in errors.
func Parse(name string, data []byte) (*Notebook, error) {
	var nb Notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", name, err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("%s: nbformat %d: only nbformat 4 notebooks are read", name, nb.NBFormat)
	}
	for i, c := range nb.Cells {
		switch c.CellType {
		case "code", "markdown", "raw":
		default:
			return nil, fmt.Errorf("%s: cell %d: unknown cell type %q", name, i, c.CellType)
		}
	}
	return &nb, nil
}
