package main

import (
	"encoding/binary"
	"fmt"
	"io"
)

// sessionSalt draws the process's session salt from r, the randomness
// tlsgate run injects everywhere (crypto/rand): once at start, shared by
// every listener, so the session lines' SIDs stay the same within the
// process and differ from the last run's, whose connection IDs were the
// same 1, 2, 3 ….
func sessionSalt(r io.Reader) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, fmt.Errorf("session salt: reading 8 random bytes: %w", err)
	}
	return binary.BigEndian.Uint64(b[:]), nil
}
