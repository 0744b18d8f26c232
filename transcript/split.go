package transcript

import (
	"strings"

	"github.com/labrun/labrun/internal/marker"
)

// Part is a piece of a transcript: lesson text as the skeleton has it,
// then the outputs block that follows it, if any.
type Part struct {
	// Skeleton is lesson text (prose and code), byte for byte.
	Skeleton string
	// Outputs is the outputs block after it as the transcript lays it
	// out (nbconvert's layout), without labrun's markers.
	Outputs string
	// Annotation is labrun's note on how the cell before the outputs
	// ended ("cell=3 kind=python status=ok exit=0 time=0.02s · ..."), or
	// "" in a course transcript.
	Annotation string
	// HasOutputs says an outputs block follows (it may be empty in a
	// labrun transcript, which marks every cell that ran).
	HasOutputs bool
}

// SplitTranscript cuts a transcript (labrun's or a course's, as StripAny
// reads them) into parts; the parts' Skeleton texts joined give
// StripAny's result, except for the blank lines a course transcript's
// outputs carry around them.
func SplitTranscript(transcript []byte) []Part {
	src := string(transcript)
	lines := linesOf(src)
	if len(lines) == 0 {
		return nil
	}
	var parts []Part
	if strings.HasPrefix(src, marker.Open) || strings.Contains(src, "\n"+marker.Open) {
		var cur Part
		var out strings.Builder
		in := false
		for _, line := range lines {
			switch {
			case !in && strings.HasPrefix(line, marker.Open):
				in = true
				cur.HasOutputs = true
				cur.Annotation = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(line, marker.Open)), "-->"))
			case in && strings.TrimRight(line, "\r\n") == marker.Close:
				in = false
				cur.Outputs = out.String()
				out.Reset()
				parts = append(parts, cur)
				cur = Part{}
			case in:
				out.WriteString(line)
			default:
				cur.Skeleton += line
			}
		}
		if in {
			cur.Outputs = out.String()
		}
		if cur.Skeleton != "" || cur.HasOutputs {
			parts = append(parts, cur)
		}
		return parts
	}
	next := 0
	for _, r := range courseRegions(lines) {
		parts = append(parts, Part{
			Skeleton:   strings.Join(lines[next:r.start], ""),
			Outputs:    strings.Join(lines[r.start:r.end], ""),
			HasOutputs: true,
		})
		next = r.end
	}
	if rest := strings.Join(lines[next:], ""); rest != "" {
		parts = append(parts, Part{Skeleton: rest})
	}
	return parts
}
