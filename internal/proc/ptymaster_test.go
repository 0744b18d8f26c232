package proc

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/creack/pty"
)

// openMaster opens a pty and returns labrun's master for it and the slave.
func openMaster(t *testing.T) (*ptyMaster, *os.File) {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	m, err := newPtyMaster(ptm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); pts.Close() })
	return m, pts
}

// readResult is what one Read returned.
type readResult struct {
	data string
	err  error
}

// readAsync reads in a goroutine until it has want bytes or a Read
// fails (a terminal may hand a line over in pieces).
func readAsync(m *ptyMaster, want int) <-chan readResult {
	c := make(chan readResult, 1)
	go func() {
		var got []byte
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil || len(got) >= want {
				c <- readResult{string(got), err}
				return
			}
		}
	}()
	return c
}

// await returns the read's result, failing the test if it does not come.
func await(t *testing.T, c <-chan readResult) readResult {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return")
		return readResult{}
	}
}

func TestPtyMasterReadsWhatTheSlaveWrites(t *testing.T) {
	m, pts := openMaster(t)
	if n, err := m.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read of no bytes = %d, %v; want 0, nil (not EOF)", n, err)
	}
	c := readAsync(m, len("hello\r\n")) // waits in poll: nothing is written yet
	if _, err := pts.WriteString("hello\n"); err != nil {
		t.Fatal(err)
	}
	if r := await(t, c); r.err != nil || r.data != "hello\r\n" {
		t.Fatalf("Read = %q, %v; want %q (the terminal's ONLCR), nil", r.data, r.err, "hello\r\n")
	}
}

func TestPtyMasterEOFWhenSlavesClose(t *testing.T) {
	m, pts := openMaster(t)
	c := readAsync(m, 1)
	pts.Close()
	if r := await(t, c); !errors.Is(r.err, io.EOF) {
		t.Fatalf("Read after the last slave closed = %q, %v; want io.EOF", r.data, r.err)
	}
}

func TestPtyMasterCloseEndsARead(t *testing.T) {
	m, _ := openMaster(t)
	c := readAsync(m, 1)
	time.Sleep(20 * time.Millisecond) // let it reach poll; the test holds either way
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if r := await(t, c); !errors.Is(r.err, os.ErrClosed) {
		t.Fatalf("Read across Close = %q, %v; want os.ErrClosed", r.data, r.err)
	}
	if _, err := m.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Write after Close = %v; want os.ErrClosed", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestPtyMasterDeadline(t *testing.T) {
	m, pts := openMaster(t)
	c := readAsync(m, 1)
	m.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if r := await(t, c); !errors.Is(r.err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past its deadline = %q, %v; want os.ErrDeadlineExceeded", r.data, r.err)
	}
	// What the terminal holds is still read before a deadline bites.
	if _, err := pts.WriteString("late\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // the line discipline moves it to the master
	if r := await(t, readAsync(m, len("late\r\n"))); r.err != nil || r.data != "late\r\n" {
		t.Fatalf("Read of a full buffer past the deadline = %q, %v; want %q", r.data, r.err, "late\r\n")
	}
	m.SetReadDeadline(time.Time{})
	c = readAsync(m, len("again\r\n"))
	pts.WriteString("again\n")
	if r := await(t, c); r.err != nil || r.data != "again\r\n" {
		t.Fatalf("Read with the deadline cleared = %q, %v", r.data, r.err)
	}
}

func TestPtyMasterWriteIsTyped(t *testing.T) {
	m, pts := openMaster(t)
	if _, err := m.Write([]byte("typed\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	var got []byte
	for len(got) < len("typed\n") {
		n, err := pts.Read(buf)
		if err != nil {
			t.Fatalf("slave read %q, %v", got, err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "typed\n" {
		t.Fatalf("slave read %q", got)
	}
}
