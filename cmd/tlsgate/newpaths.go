package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// newPaths remembers the files and directories a start-up is about to create
// (the log file, key logs, capture directories), so that a start-up that fails
// after them (a port already taken) can remove them and leave the disk as it
// found it. serve keeps a lab CA only once every socket is bound and needs
// none of this for it; tlsgate lab notes the CA it must write ahead.
type newPaths struct {
	paths []string // parents before children
}

// note records path, and each missing directory above it that creating it
// would make, if they do not exist yet. "" is nothing to create.
func (n *newPaths) note(path string) {
	if path == "" {
		return
	}
	var missing []string
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		n.paths = append(n.paths, missing[i])
	}
}

// undo removes what was noted, children first. os.Remove leaves a directory
// that is not empty, so nothing that something else put there is lost.
func (n *newPaths) undo() {
	for i := len(n.paths) - 1; i >= 0; i-- {
		_ = os.Remove(n.paths[i])
	}
}
