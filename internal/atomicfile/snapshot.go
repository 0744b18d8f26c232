package atomicfile

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Snapshot is what a file was when it was read: enough to tell, just
// before it is replaced, whether someone changed it since.
type Snapshot struct {
	// Size is the length of what was read.
	Size int64
	// ModTime is the file's modification time when it was read.
	ModTime time.Time
	// Sum is the SHA-256 of what was read.
	Sum [sha256.Size]byte
}

// ErrChanged says that a file is no longer what was read: it was not
// written, so that nobody's edit is lost.
var ErrChanged = errors.New("changed while it was checked; not updated")

// Take returns the snapshot of the file at path whose content, as read,
// is data. Call it right after reading: if the file changes between the
// read and the call, the sum (of data) and the file's size or content
// at the time of writing disagree, and the write is refused.
func Take(path string, data []byte) (Snapshot, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Size: int64(len(data)), ModTime: info.ModTime(), Sum: sha256.Sum256(data)}, nil
}

// WriteIfUnchanged writes data over the file at path (through links, as
// Write does) only if the file is still what want says: the same size,
// modification time and content. The check runs after the new content
// is on disk, just before the rename, so the window in which an edit
// can still be lost is that of one stat, one read and one rename. A
// changed file gives an error wrapping ErrChanged, prefixed with path.
func WriteIfUnchanged(path string, want Snapshot, data []byte) error {
	return write(path, data, 0o644, func(target string) error {
		if !unchanged(target, want) {
			return fmt.Errorf("%s: %w", path, ErrChanged)
		}
		return nil
	})
}

// unchanged says whether the file at path is still what want says.
func unchanged(path string, want Snapshot) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() != want.Size || !info.ModTime().Equal(want.ModTime) {
		return false
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, want.Size+1)); err != nil {
		return false
	}
	return bytes.Equal(h.Sum(nil), want.Sum[:])
}
