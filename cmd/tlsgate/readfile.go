package main

import (
	"fmt"
	"io"
	"os"
)

// Caps on files the subcommands read whole. A path given by mistake (a log,
// /dev/zero, a FIFO that never ends) must end in an error naming it, not in
// reading until memory runs out.
const (
	maxRuleFile = 1 << 20  // fault add --file: the admin API takes no larger body
	maxPEMFile  = 16 << 20 // --cacert bundles: far more than any trust store
)

// readFileMax reads the file at path, refusing one larger than max bytes.
func readFileMax(path string, max int64) ([]byte, error) {
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
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return b, nil
}
