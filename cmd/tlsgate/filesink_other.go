//go:build !linux

package main

import (
	"errors"
	"os"
)

// fileSink is Linux-only; elsewhere log files keep os.File's writes.
type fileSink struct{}

func newFileSink(*os.File) (fileSink, bool) { return fileSink{}, false }

// Write is never called: newFileSink refuses every file.
func (fileSink) Write([]byte) (int, error) { return 0, errors.New("fileSink: not on this OS") }

// Sync is a no-op.
func (fileSink) Sync() error { return nil }
