package runner

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultOutputCap is how many bytes of one step's output labrun keeps:
// the first half and the last half; what lies between is dropped and
// counted.
const DefaultOutputCap = 1 << 20

// chunk is a piece of output of one stream, in arrival order.
type chunk struct {
	stream string // "stdout" or "stderr"
	data   []byte
}

// sink collects a step's output, coalescing consecutive writes to the same
// stream, keeping at most capBytes (head and tail) so that labrun's memory
// stays bounded whatever a step prints.
type sink struct {
	mu       sync.Mutex
	capBytes int
	head     []chunk
	headLen  int
	tail     []chunk // ring of recent chunks once the head is full
	tailLen  int
	dropped  int64
	last     atomic.Int64 // unix nanos of the last write
	total    atomic.Int64
}

func newSink(capBytes int) *sink {
	if capBytes <= 0 {
		capBytes = DefaultOutputCap
	}
	s := &sink{capBytes: capBytes}
	s.last.Store(time.Now().UnixNano())
	return s
}

// write appends data of stream; it copies data.
func (s *sink) write(stream string, data []byte) {
	if len(data) == 0 {
		return
	}
	s.last.Store(time.Now().UnixNano())
	s.total.Add(int64(len(data)))
	s.mu.Lock()
	defer s.mu.Unlock()
	half := s.capBytes / 2
	if s.headLen < half {
		n := min(len(data), half-s.headLen)
		s.head = appendChunk(s.head, stream, data[:n])
		s.headLen += n
		data = data[n:]
	}
	if len(data) == 0 {
		return
	}
	s.tail = appendChunk(s.tail, stream, data)
	s.tailLen += len(data)
	for s.tailLen > half {
		excess := s.tailLen - half
		c := &s.tail[0]
		if len(c.data) <= excess {
			s.dropped += int64(len(c.data))
			s.tailLen -= len(c.data)
			s.tail = s.tail[1:]
			continue
		}
		c.data = c.data[excess:]
		s.dropped += int64(excess)
		s.tailLen -= excess
	}
}

func appendChunk(cs []chunk, stream string, data []byte) []chunk {
	if n := len(cs); n > 0 && cs[n-1].stream == stream {
		cs[n-1].data = append(cs[n-1].data, data...)
		return cs
	}
	return append(cs, chunk{stream, append([]byte(nil), data...)})
}

// quietFor says how long the step has printed nothing.
func (s *sink) quietFor() time.Duration {
	return time.Since(time.Unix(0, s.last.Load()))
}

// chunks returns what was kept, with a marker where bytes were dropped.
func (s *sink) chunks() []chunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]chunk(nil), s.head...)
	if s.dropped > 0 {
		marker := fmt.Sprintf("\n[labrun: %d bytes of output dropped here; %d kept]\n", s.dropped, s.headLen+s.tailLen)
		out = appendChunk(out, out[len(out)-1].stream, []byte(marker))
	}
	for _, c := range s.tail {
		out = appendChunk(out, c.stream, c.data)
	}
	return out
}

// text returns every kept byte of every stream, in order.
func (s *sink) text() string {
	var b []byte
	for _, c := range s.chunks() {
		b = append(b, c.data...)
	}
	return string(b)
}

// take returns the text kept so far and empties the sink.
func (s *sink) take() string {
	t := s.text()
	s.mu.Lock()
	s.head, s.tail, s.headLen, s.tailLen, s.dropped = nil, nil, 0, 0, 0
	s.mu.Unlock()
	return t
}
