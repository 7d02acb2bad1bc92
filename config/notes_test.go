package config

import (
	"strings"
	"testing"
)

// TestNotes: settings that are valid but will surprise are noted with their
// line, not refused, and only where they apply.
func TestNotes(t *testing.T) {
	base := "[[listener]]\nlisten = \"127.0.0.1:9443\"\nbackend = \"127.0.0.1:9080\"\nmode = \"terminate\"\n[listener.client_ssl]\n"
	tests := []struct {
		name, extra, want string
	}{
		{"rsa suites with minted leaves", "ciphers = [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\", \"TLS_AES_128_GCM_SHA256\"]\n",
			"cfg.toml:6:1: listener.client_ssl.ciphers: every TLS 1.0-1.2 suite listed (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) needs an RSA certificate"},
		{"an ecdsa suite too", "ciphers = [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\", \"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"]\n", ""},
		{"no cipher list", "min_version = \"1.2\"\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(base+tc.extra), "cfg.toml")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "" && len(cfg.Notes) > 0:
				t.Errorf("notes %q, want none", cfg.Notes)
			case tc.want != "" && (len(cfg.Notes) != 1 || !strings.HasPrefix(cfg.Notes[0], tc.want)):
				t.Errorf("notes %q, want one starting %q", cfg.Notes, tc.want)
			}
		})
	}
}

// TestTransparentListenNote: a transparent listener bound to one address is
// noted (check prints it, run logs it): the REDIRECT or TPROXY rules a
// socket on 0.0.0.0 takes never reach 127.0.0.1. One on every address is not.
func TestTransparentListenNote(t *testing.T) {
	for _, tc := range []struct{ listen, mode, want string }{
		{"127.0.0.1:19843", "redirect", `cfg.toml:3:1: listener.listen: transparent listener on 127.0.0.1 only: a REDIRECT in PREROUTING delivers to the incoming interface's primary address, where this socket does not listen, so such clients are refused; listen on "0.0.0.0:19843"`},
		{"[::1]:19843", "tproxy", "listener.listen: transparent listener on ::1 only: TPROXY without --on-ip delivers"},
		{"0.0.0.0:19843", "redirect", ""},
		{"[::]:19843", "tproxy", ""},
		{":19843", "redirect", ""},
	} {
		t.Run(tc.listen+" "+tc.mode, func(t *testing.T) {
			src := "[[listener]]\nname = \"tp\"\nlisten = \"" + tc.listen + "\"\nmode = \"inspect\"\ntransparent = \"" + tc.mode + "\"\n"
			cfg, err := Parse([]byte(src), "cfg.toml")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "" && len(cfg.Notes) > 0:
				t.Errorf("notes %q, want none", cfg.Notes)
			case tc.want != "" && (len(cfg.Notes) != 1 || !strings.Contains(cfg.Notes[0], tc.want)):
				t.Errorf("notes %q, want one with %q", cfg.Notes, tc.want)
			}
		})
	}
}
