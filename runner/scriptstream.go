package runner

import (
	"bytes"

	"github.com/labrun/labrun/internal/proc"
)

// scriptLines is what Jupyter shows of a %%bash or %%sh cell's output,
// given the order in which its pipes delivered it: IPython's script magic
// (IPython/core/magics/script.py, ScriptMagics.shebang, _handle_stream)
// reads each pipe a line at a time (StreamReader.readline) and writes and
// flushes each line to sys.stdout or sys.stderr, so a stream's text shows
// only once its line is complete; a last line without a newline shows
// when the pipes close, stdout's first (its reading task starts first).
func scriptLines(chunks []proc.Chunk) []proc.Chunk {
	var out []proc.Chunk
	pending := map[string][]byte{}
	emit := func(stream string, data []byte) {
		if n := len(out); n > 0 && out[n-1].Stream == stream {
			out[n-1].Data = append(out[n-1].Data, data...)
			return
		}
		out = append(out, proc.Chunk{Stream: stream, Data: data})
	}
	for _, ch := range chunks {
		buf := append(pending[ch.Stream], ch.Data...)
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			emit(ch.Stream, append([]byte(nil), buf[:i+1]...))
			buf = buf[i+1:]
		}
		pending[ch.Stream] = append([]byte(nil), buf...)
	}
	for _, stream := range []string{"stdout", "stderr"} {
		if len(pending[stream]) > 0 {
			emit(stream, pending[stream])
		}
	}
	return out
}
