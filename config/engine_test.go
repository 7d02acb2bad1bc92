package config

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/listener"
)

// TestEngineNames: each engine name decodes to its listener.Engine on a
// listener every engine can serve.
func TestEngineNames(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want listener.Engine
	}{
		{"", ""},
		{`engine = "auto"`, listener.EngineAuto},
		{`engine = "epoll"`, listener.EngineEpoll},
		{`engine = "uring"`, listener.EngineUring},
		{`engine = "goroutines"`, listener.EngineGoroutines},
	} {
		src := strings.Replace(web, `mode = "terminate"`, `mode = "passthrough"`, 1) + tc.src + "\n"
		cfg, err := Parse([]byte(src), "engine.toml")
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if got := cfg.Listeners[0].Engine; got != tc.want {
			t.Errorf("%s: Engine %q, want %q", tc.src, got, tc.want)
		}
	}
}
