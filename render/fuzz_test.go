package render_test

import (
	"bytes"
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// FuzzRender checks the round trip: stripping the transcript of a lesson,
// whatever its cells printed, gives the lesson back byte for byte.
func FuzzRender(f *testing.F) {
	f.Add([]byte("# t\n\n```python\nprint(1)\n```\n"), "1\n", "Run: `x`")
	f.Add([]byte("```cpp\n%%cpp a.c\n%run gcc a.c\nint main(){}\n```"), "<!-- labrun:end -->\n", "")
	f.Add([]byte("text\n```python\n!ls\n```\n\n```bash\n%%bash\necho\n```\ntail"), "a\n\nb", "```\nL | x\n```")
	f.Fuzz(func(t *testing.T, src []byte, stream, md string) {
		l, err := lessons.Parse("f.md", src)
		if err != nil {
			return
		}
		res := &transcript.Result{Lesson: l}
		for _, c := range l.Cells {
			cr := &transcript.CellResult{Cell: c, Status: transcript.OK}
			cr.Outputs = []transcript.Output{
				{Kind: transcript.Stream, Text: stream},
				{Kind: transcript.Markdown, Text: md},
				{Kind: transcript.Log, Text: stream},
			}
			res.Cells = append(res.Cells, cr)
		}
		out := render.Transcript(res)
		if got := transcript.Strip(out); !bytes.Equal(got, src) {
			t.Fatalf("strip(render(lesson)) != lesson\nlesson: %q\ngot:    %q\ntranscript: %q", src, got, out)
		}
	})
}
