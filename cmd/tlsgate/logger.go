package main

import (
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/config"
)

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
	var sink zapcore.WriteSyncer
	closer := func() {}
	if lc.File != "" {
		f, err := os.OpenFile(lc.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, keyedError{"log.file", err}
		}
		// Whole lines only, so a reader tailing the file (an operator, or
		// the e2e tests) never waits on half a line: a line-by-line
		// append, or batches of whole lines (batchSink).
		if fs, ok := newFileSink(f); ok {
			sink = fs // one append per line: no lock needed
		} else {
			sink = zapcore.Lock(f)
		}
		closer = func() { _ = f.Close() }
		if lc.FlushInterval > 0 {
			b := newBatchSink(sink, lc.FlushInterval)
			sink = b
			closer = func() {
				_ = b.Stop()
				_ = f.Close()
			}
		}
	} else {
		sink = zapcore.Lock(zapcore.AddSync(stderr))
	}
	cores := []zapcore.Core{zapcore.NewCore(enc, sink, level)}
	if lc.SyslogAddr != "" {
		sc, err := bigiplog.NewSyslogCore(lc.SyslogNetwork, lc.SyslogAddr, opts, level)
		if err != nil {
			closer()
			return nil, nil, keyedError{"log.syslog", err}
		}
		cores = append(cores, sc)
	}
	return zap.New(zapcore.NewTee(cores...)), closer, nil
}
