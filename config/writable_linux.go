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
// process may write path: for a directory, create files in it. It changes
// nothing on disk (a probe file or directory would touch the directory's
// mtime, which backup tools and watchers see). The kernel's answer already
// refuses a read-only mount (EROFS), but root passes it everywhere, on the
// kernel's own filesystems too (/proc, /sys), where nothing can be created:
// a directory there is refused by its filesystem type, from statfs(2).
// Anything else that stops a write (an immutable flag, a full disk) shows
// at start-up, with the open's error.
func osWritable(path string) error {
	if err := syscall.Faccessat(atFDCWD, path, 0x2, atEAccess); err != nil { // W_OK
		return fmt.Errorf("access %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return nil // no type to judge by: the open at start-up reports it
	}
	if name, ok := kernelFS[int64(st.Type)]; ok {
		return fmt.Errorf("%s is on %s (statfs type %#x), where no file can be created, even by root", path, name, st.Type)
	}
	return nil
}

// kernelFS names the filesystems the kernel fills itself (statfs(2)
// f_type, linux/magic.h): write access to their directories does not let
// a file be created in them.
var kernelFS = map[int64]string{
	0x9fa0:     "proc",
	0x62656572: "sysfs",
	0x27e0eb:   "cgroup",
	0x63677270: "cgroup2",
	0x73636673: "securityfs",
	0x64626720: "debugfs",
	0x74726163: "tracefs",
	0x6165676c: "pstore",
}

// atFDCWD is AT_FDCWD: a relative path is taken from the working directory.
const atFDCWD = -0x64
