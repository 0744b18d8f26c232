package transcript

import (
	"bytes"

	"github.com/labrun/labrun/internal/marker"
)

// Strip returns the lesson a labrun transcript was rendered from: it
// removes every block from an marker.Open line to the next marker.Close line,
// both included. Other lines are kept byte for byte. A transcript that
// ends with an marker.Close line without a newline came from a lesson that
// ended without one.
func Strip(transcript []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(transcript))
	in := false
	for line := range bytes.Lines(transcript) {
		switch {
		case !in && bytes.HasPrefix(line, []byte(marker.Open)):
			in = true
		case in && bytes.Equal(bytes.TrimRight(line, "\r\n"), []byte(marker.Close)):
			in = false
			if !bytes.HasSuffix(line, []byte("\n")) { // the transcript's last line
				b.Truncate(max(b.Len()-1, 0))
			}
		case !in:
			b.Write(line)
		}
	}
	return b.Bytes()
}
