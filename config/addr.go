package config

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// checkAddr validates a "host:port" string. Ports must be numeric: service names
// ("https") depend on /etc/services, and a lab config should mean the same everywhere.
// A listen address may leave the host empty (all interfaces) and may use port 0
// (the kernel picks one, which tests and generated lab configs rely on); a backend
// needs both a host and a real port.
func checkAddr(s string, listen bool) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %w", s, err)
	}
	if strings.ContainsFunc(host, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%q: host %q contains spaces or control characters", s, host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || port[0] == '+' || port[0] == '-' {
		return fmt.Errorf("%q: port %q must be a number from 1 to 65535", s, port)
	}
	lowest := 1
	if listen {
		lowest = 0
	}
	if n < lowest || n > 65535 {
		return fmt.Errorf("%q: port %d is out of range (%d to 65535)", s, n, lowest)
	}
	if !listen && host == "" {
		return fmt.Errorf("%q: a backend needs a host, e.g. \"127.0.0.1%s\"", s, s)
	}
	return nil
}

// splitAddr splits an address already accepted by checkAddr into a normalized host
// and a numeric port. Wildcards ("", "::") become "".
func splitAddr(s string) (host string, port int) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", -1
	}
	port, err = strconv.Atoi(p)
	if err != nil {
		return "", -1
	}
	h = strings.ToLower(h)
	if a, err := netip.ParseAddr(h); err == nil {
		a = a.Unmap()
		if a.Is6() && a.IsUnspecified() {
			return "", port
		}
		return a.String(), port
	}
	return h, port
}

// bindConflict reports whether two listen addresses would fight over one socket, so
// the clash is reported with line numbers instead of "address already in use" at run
// time. Port 0 never conflicts. "" and "::" take the port on every address (Go listens
// dual-stack); "0.0.0.0" takes it on every IPv4 address. Host names are compared as
// written: checkClashes resolves them (with an injected resolver) before asking.
func bindConflict(a, b string) bool {
	ha, pa := splitAddr(a)
	hb, pb := splitAddr(b)
	if pa != pb || pa <= 0 {
		return false
	}
	if ha == hb || ha == "" || hb == "" {
		return true
	}
	return ha == "0.0.0.0" && isIPv4(hb) || hb == "0.0.0.0" && isIPv4(ha)
}

func isIPv4(h string) bool {
	a, err := netip.ParseAddr(h)
	return err == nil && a.Is4()
}

// selfLoop reports whether dialing backend would reach the listener at listen itself,
// which would relay every connection into itself until file descriptors run out.
func selfLoop(listen, backend string) bool {
	hl, pl := splitAddr(listen)
	hb, pb := splitAddr(backend)
	if pl != pb || pl <= 0 {
		return false
	}
	if hl == hb {
		return true
	}
	wildcard := hl == "" || hl == "0.0.0.0"
	if !wildcard {
		return false
	}
	if hb == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(hb)
	return err == nil && (a.IsLoopback() || a.IsUnspecified())
}

// isLoopbackListen says a listen address stays on this machine.
func isLoopbackListen(s string) bool {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
