package jupyter

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes a cell as nbformat 4.5 wants it: a code cell always
// has execution_count (null when it did not run) and outputs; other
// cells have neither.
func (c Cell) MarshalJSON() ([]byte, error) {
	m := map[string]any{"cell_type": c.CellType, "metadata": orEmpty(c.Metadata), "source": c.Source}
	if c.ID != "" {
		m["id"] = c.ID
	}
	if c.CellType == "code" {
		m["execution_count"] = c.ExecutionCount
		outs := c.Outputs
		if outs == nil {
			outs = []Output{}
		}
		m["outputs"] = outs
	}
	return json.Marshal(m)
}

// MarshalJSON writes an output with the fields its type requires.
func (o Output) MarshalJSON() ([]byte, error) {
	m := map[string]any{"output_type": o.OutputType}
	switch o.OutputType {
	case "stream":
		m["name"] = o.Name
		t := Text("")
		if o.Text != nil {
			t = *o.Text
		}
		m["text"] = t
	case "display_data", "execute_result":
		m["data"] = o.Data
		m["metadata"] = orEmpty(o.Metadata)
		if o.OutputType == "execute_result" {
			m["execution_count"] = o.ExecutionCount
		}
	case "error":
		m["ename"], m["evalue"] = o.EName, o.EValue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	return json.Marshal(m)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Marshal writes a notebook as Jupyter does: indented JSON, non-ASCII
// text kept, a final newline.
func Marshal(nb *Notebook) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
