package lessons

import (
	"errors"
	"fmt"
	"os"
)

// MaxFileBytes bounds what labrun reads as a lesson or a transcript.
const MaxFileBytes = 64 << 20

// ReadFile reads a lesson or a transcript, refusing what is not a
// regular file of lesson size (a device, /dev/zero, a folder) before
// reading it. Its errors are *Error, naming the file.
func ReadFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, &Error{Name: path, Msg: errors.Unwrap(err).Error()}
	case !info.Mode().IsRegular():
		return nil, &Error{Name: path, Msg: "not a regular file; a lesson is a Markdown file"}
	case info.Size() > MaxFileBytes:
		return nil, &Error{Name: path, Msg: fmt.Sprintf("%d MiB: too big to be a lesson (at most %d MiB)", info.Size()>>20, MaxFileBytes>>20)}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Name: path, Msg: errors.Unwrap(err).Error()}
	}
	return src, nil
}
