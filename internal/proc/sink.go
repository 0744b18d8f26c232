package proc

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultOutputCap is how many bytes of one step's output labrun keeps:
// the first half and the last half; what lies between is dropped and
// counted.
const DefaultOutputCap = 1 << 20

// tailPiece is the size of the pieces a Sink keeps its tail in.
const tailPiece = 64 << 10

// Chunk is a piece of output of one stream, in arrival order.
type Chunk struct {
	Stream string // "stdout" or "stderr"
	Data   []byte
}

// Sink collects a step's output, coalescing consecutive writes to the same
// stream, keeping at most capBytes (head and tail) so that labrun's memory
// stays bounded whatever a step prints.
type Sink struct {
	mu       sync.Mutex
	capBytes int
	head     []Chunk
	headLen  int
	tail     []Chunk // ring of recent chunks once the head is full
	tailLen  int
	dropped  int64
	last     atomic.Int64 // unix nanos of the last write
	// feeding counts what labrun is still writing to the step's stdin
	// (Feeding): the step is not quiet while its input is on its way.
	feeding atomic.Int32
	total   atomic.Int64
	changed chan struct{} // receives (coalesced) after each write
	// watch, when set, is looked for in every write (Watch): seen
	// receives once it came; carry is the end of what was written
	// before, where the start of a watch split over two writes lies.
	watch, carry []byte
	seen         chan struct{}
}

// NewSink returns a Sink keeping at most capBytes (DefaultOutputCap when
// capBytes is not positive).
func NewSink(capBytes int) *Sink {
	if capBytes <= 0 {
		capBytes = DefaultOutputCap
	}
	s := &Sink{capBytes: capBytes, changed: make(chan struct{}, 1)}
	s.last.Store(time.Now().UnixNano())
	return s
}

// Write appends data of stream; it copies data.
func (s *Sink) Write(stream string, data []byte) {
	if len(data) == 0 {
		return
	}
	s.last.Store(time.Now().UnixNano())
	s.total.Add(int64(len(data)))
	select {
	case s.changed <- struct{}{}:
	default:
	}
	s.keep(stream, data)
	s.look(data)
}

// Watch makes the sink look for mark in what is written from now on, and
// returns a channel that receives once it was written (split over
// writes or not). Each byte is looked at once, whatever the cap drops; a
// later Watch replaces this one.
func (s *Sink) Watch(mark []byte) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watch, s.carry, s.seen = append([]byte(nil), mark...), nil, make(chan struct{}, 1)
	return s.seen
}

// look looks for the watched mark in data, after what was carried over
// from the write before.
func (s *Sink) look(data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.watch) == 0 {
		return
	}
	buf := append(s.carry, data...)
	if bytes.Contains(buf, s.watch) {
		select {
		case s.seen <- struct{}{}:
		default:
		}
	}
	keep := min(len(buf), len(s.watch)-1)
	s.carry = append(s.carry[:0:0], buf[len(buf)-keep:]...)
}

// Interject appends data of stream among what the step printed, at this
// moment of its output, without counting it as the step's own (QuietFor
// and Changed do not see it): text labrun shows at the moment it was due
// while the step runs.
func (s *Sink) Interject(stream string, data []byte) {
	if len(data) > 0 {
		s.keep(stream, data)
	}
}

// keep stores data of stream within the cap.
func (s *Sink) keep(stream string, data []byte) {
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
	// The tail is kept in pieces of at most tailPiece bytes, so that
	// dropping its oldest bytes drops whole pieces instead of copying
	// the rest (a flood through it costs one copy of each byte).
	if n := len(s.tail); n > 0 && s.tail[n-1].Stream == stream && len(s.tail[n-1].Data)+len(data) <= tailPiece {
		s.tail[n-1].Data = append(s.tail[n-1].Data, data...)
	} else {
		s.tail = append(s.tail, Chunk{stream, append(make([]byte, 0, max(len(data), min(tailPiece, half))), data...)})
	}
	s.tailLen += len(data)
	for s.tailLen > half {
		excess := s.tailLen - half
		c := &s.tail[0]
		if len(c.Data) <= excess {
			s.dropped += int64(len(c.Data))
			s.tailLen -= len(c.Data)
			s.tail = s.tail[1:]
			continue
		}
		c.Data = c.Data[excess:]
		s.dropped += int64(excess)
		s.tailLen -= excess
	}
}

func appendChunk(cs []Chunk, stream string, data []byte) []Chunk {
	if n := len(cs); n > 0 && cs[n-1].Stream == stream {
		cs[n-1].Data = append(cs[n-1].Data, data...)
		return cs
	}
	return append(cs, Chunk{stream, append([]byte(nil), data...)})
}

// Changed receives after a write; writes that come before it is received
// are told once (Policy.Changed).
func (s *Sink) Changed() <-chan struct{} { return s.changed }

// QuietFor says how long the step has printed nothing: 0 while labrun is
// still writing its stdin (Feeding), as a step waiting for input labrun
// has not yet written is not stuck (a shell blocked reading the script
// of a %%bash cell before the feeding goroutine ran).
func (s *Sink) QuietFor() time.Duration {
	if s.feeding.Load() > 0 {
		return 0
	}
	return time.Since(time.Unix(0, s.last.Load()))
}

// Feeding says that labrun begins writing the step's stdin; the function
// it returns says that the writing is over (the input written and its
// pipe closed, or the write failed), and the step's quiet counts from
// then on.
func (s *Sink) Feeding() (done func()) {
	s.feeding.Add(1)
	return func() {
		s.last.Store(time.Now().UnixNano())
		s.feeding.Add(-1)
	}
}

// Chunks returns what was kept, with a marker where bytes were dropped.
func (s *Sink) Chunks() []Chunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Chunk(nil), s.head...)
	if s.dropped > 0 {
		marker := fmt.Sprintf("\n[labrun: %d bytes of output dropped here; %d kept]\n", s.dropped, s.headLen+s.tailLen)
		out = appendChunk(out, out[len(out)-1].Stream, []byte(marker))
	}
	for _, c := range s.tail {
		out = appendChunk(out, c.Stream, c.Data)
	}
	return out
}

// Text returns every kept byte of every stream, in order.
func (s *Sink) Text() string {
	var b []byte
	for _, c := range s.Chunks() {
		b = append(b, c.Data...)
	}
	return string(b)
}

// Take returns the text kept so far and empties the sink.
func (s *Sink) Take() string {
	t := s.Text()
	s.mu.Lock()
	s.head, s.tail, s.headLen, s.tailLen, s.dropped = nil, nil, 0, 0, 0
	s.mu.Unlock()
	return t
}
