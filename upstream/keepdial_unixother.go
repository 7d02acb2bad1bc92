//go:build unix && !linux

package upstream

// connectCompleted cannot tell, without Linux's tcp_info, whether a failed
// socket had completed its handshake: a dial of several attempts keeps
// only the one its error names.
func connectCompleted(int) bool { return false }
