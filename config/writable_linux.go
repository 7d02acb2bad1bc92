package config

import (
	"fmt"
	"os"
	"syscall"
)

// atEAccess is AT_EACCESS: check with the effective user and group, as
// open(2) does, not the real ones access(2) uses; they differ when tlsgate
// runs setuid or was started through a capability-granting wrapper.
const atEAccess = 0x200

// osWritable asks the kernel (faccessat(2), W_OK, AT_EACCESS) whether this
// process may write path: for a directory, create files in it. Root
// passes that question everywhere, /proc included, where nothing can be
// created: so a directory is also tried, by creating an empty directory
// in it and removing it again, which leaves nothing behind.
func osWritable(path string) error {
	if err := syscall.Faccessat(atFDCWD, path, 0x2, atEAccess); err != nil { // W_OK
		return fmt.Errorf("access %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil
	}
	probe, err := os.MkdirTemp(path, ".tlsgate-check-")
	if err != nil {
		return fmt.Errorf("create in %s: %w", path, err)
	}
	return os.Remove(probe)
}

// atFDCWD is AT_FDCWD: a relative path is taken from the working directory.
const atFDCWD = -0x64
