package config

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxPEMFile bounds what is read of a certificate, key or CA file (a config key or
// a --cacert flag). A large CA bundle is a few hundred KiB; anything past this is
// not what was meant, and the bound keeps a mistaken path (a disk image, a log)
// from being read whole.
const MaxPEMFile = 16 << 20

// TooLargeError is ReadFileMax refusing a file longer than its cap. Callers that
// word the refusal for their own context (Load, the PEM checks) find it with
// errors.As.
type TooLargeError struct {
	Path string
	Max  int64 // the cap in bytes; the file holds more
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Max)
}

// ReadFileMax reads the whole file at path, refusing one larger than max bytes
// with a *TooLargeError. A path given by mistake (a log, /dev/zero, a FIFO that
// never ends) must end in an error naming it, not in reading until memory runs
// out. Open and read errors are returned as the os package gives them (they
// name the path).
func ReadFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &TooLargeError{Path: path, Max: max}
	}
	return b, nil
}

// tooLarge reports whether err is ReadFileMax's refusal.
func tooLarge(err error) bool {
	var tl *TooLargeError
	return errors.As(err, &tl)
}
