package config

import (
	"fmt"
	"syscall"
)

// osWritable asks the kernel (access(2), W_OK) whether this process may
// write path: for a directory, create files in it. Root passes, as its
// open would.
func osWritable(path string) error {
	if err := syscall.Access(path, 0x2); err != nil { // W_OK
		return fmt.Errorf("access %s: %w", path, err)
	}
	return nil
}
