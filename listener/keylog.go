package listener

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// OptionError is a failure of New that comes from one option that names a
// place on disk (the key log file, the capture directory), so the caller
// can point at that key: Key is its config name ("keylog", "capture").
type OptionError struct {
	Key string
	Err error
}

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// lockedWriter serialises key log lines from many connections' handshakes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.WriteCloser
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return l.w.Close() }

// openKeyLog opens the NSS key log file (append, 0600: it holds secrets).
func openKeyLog(path string) (*lockedWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keylog: %w", err)
	}
	return &lockedWriter{w: f}, nil
}
