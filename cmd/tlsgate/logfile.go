package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// logFile is the [log] file, reopened by name on SIGHUP so that logrotate's
// usual rename-and-create works: without a reopen, lines would go on into
// the renamed file and, once it is deleted, nowhere.
type logFile struct {
	path string
	mu   sync.RWMutex // writers share it; Reopen takes it alone to swap
	f    *os.File
	w    zapcore.WriteSyncer
	// torn: a write failed part way (a full disk), leaving half a line.
	// The next write starts with a newline, so that fragment ends there
	// instead of being glued to the next line.
	torn atomic.Bool
}

func openLogFile(path string) (*logFile, error) {
	l := &logFile{path: path}
	f, w, err := l.open()
	if err != nil {
		return nil, err
	}
	l.f, l.w = f, w
	return l, nil
}

// logFileMode is the mode a log file is created with (before the umask):
// owner and group read it, others do not. Its lines name clients, SNI and,
// on inspect listeners, decrypted request targets; a SIEM forwarder is
// given the group, as syslog daemons create their files. A file that
// exists keeps its mode.
const logFileMode = 0o640

// open opens the file for appending and picks its writer: a raw write(2)
// for a regular file (fileSink), Go's locked write otherwise.
func (l *logFile) open() (*os.File, zapcore.WriteSyncer, error) {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, logFileMode)
	if err != nil {
		return nil, nil, err
	}
	if fs, ok := newFileSink(f); ok {
		return f, fs, nil // one append per line: no lock needed
	}
	return f, zapcore.Lock(f), nil
}

// Write appends p, one or more whole lines.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.torn.Swap(false) {
		_, _ = l.w.Write([]byte{'\n'})
	}
	n, err := l.w.Write(p)
	if err != nil && n > 0 && n < len(p) {
		l.torn.Store(true)
	}
	return n, err
}

// Sync is the writer's (a no-op for fileSink: lines reach the page cache).
func (l *logFile) Sync() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.w.Sync()
}

// Reopen opens the path again and writes there from now on; the old file
// is closed once no write uses it.
func (l *logFile) Reopen() error {
	f, w, err := l.open()
	if err != nil {
		return fmt.Errorf("log.file: reopen %s: %w", l.path, err)
	}
	l.mu.Lock()
	old := l.f
	l.f, l.w = f, w
	l.torn.Store(false) // a fragment in the old file stays there
	l.mu.Unlock()
	return old.Close()
}

// Close closes the file.
func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// reopenOnHUP reopens the log file on every SIGHUP (logrotate's
// postrotate) until the returned stop is called, and says so in the new
// file. Lines a batch holds are written to the old file first. Logging to
// stderr there is nothing to reopen, but SIGHUP must not end tlsgate as
// its default action would.
func reopenOnHUP(out *logOutput, logger *zap.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range hup {
			if out.file == nil {
				logger.Info("SIGHUP: logging to stderr, no log file to reopen")
				continue
			}
			_ = out.flush()
			if err := out.file.Reopen(); err != nil {
				fmt.Fprintln(out.stderr, "tlsgate:", err)
				logger.Warn("log file not reopened on SIGHUP", zap.Error(err))
				continue
			}
			logger.Info("log file reopened on SIGHUP", zap.String("file", out.file.path))
		}
	}()
	return func() {
		signal.Stop(hup)
		close(hup)
		<-done
	}
}
