package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/config"
)

// logFlush bounds how late a line reaches a log file.
const logFlush = 100 * time.Millisecond

// newLogger builds the one logger the listeners share: the chosen format to
// a file or stderr, plus optional RFC 3164 syslog forwarding.
func newLogger(lc config.Log, stderr io.Writer) (*zap.Logger, func(), error) {
	host := lc.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	opts := bigiplog.Options{Format: lc.Format, Host: host, PID: os.Getpid(), TMMs: 2, Lang: lc.Lang}
	enc, err := bigiplog.NewEncoder(opts)
	if err != nil {
		return nil, nil, err
	}
	level := zapcore.InfoLevel
	if lc.Level == "warning" || lc.Level == "warn" {
		level = zapcore.WarnLevel
	}
	var sink zapcore.WriteSyncer = zapcore.AddSync(stderr)
	closer := func() {}
	if lc.File != "" {
		f, err := os.OpenFile(lc.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		// Buffered: one write per batch of lines instead of a syscall per
		// connection, at the cost of lines reaching the file up to
		// logFlush late. Sync (at exit) and Stop flush what is held.
		bw := &zapcore.BufferedWriteSyncer{WS: f, Size: 64 << 10, FlushInterval: logFlush}
		sink = bw
		closer = func() { _ = bw.Stop(); _ = f.Close() }
	} else {
		sink = zapcore.Lock(zapcore.AddSync(stderr))
	}
	cores := []zapcore.Core{zapcore.NewCore(enc, sink, level)}
	if lc.SyslogAddr != "" {
		sc, err := bigiplog.NewSyslogCore(lc.SyslogNetwork, lc.SyslogAddr, opts, level)
		if err != nil {
			closer()
			return nil, nil, err
		}
		cores = append(cores, sc)
	}
	return zap.New(zapcore.NewTee(cores...)), closer, nil
}
