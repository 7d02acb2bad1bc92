package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/config"
)

// logOutput is what newLogger opened: closed at exit, and reopened on
// SIGHUP when it is a file.
type logOutput struct {
	file   *logFile   // nil when logging to stderr
	batch  *batchSink // nil unless lines are batched
	stderr io.Writer
	// syslog is the forwarding core, nil without [log] syslog; local is
	// the file or stderr core, where its losses are told at exit.
	syslog zapcore.Core
	local  zapcore.Core
}

// syslogDropped returns the count of lines syslog forwarding dropped, for
// the admin API's metrics; nil without forwarding.
func (o *logOutput) syslogDropped() func() uint64 {
	d, ok := o.syslog.(interface{ Dropped() uint64 })
	if !ok {
		return nil
	}
	return d.Dropped
}

// flush writes lines a batch holds.
func (o *logOutput) flush() error {
	if o.batch == nil {
		return nil
	}
	return o.batch.flush()
}

// Close writes what waits and closes the file. A batch that cannot be
// written (a full disk) is said on stderr: the log cannot say it.
func (o *logOutput) Close() {
	if o.syslog != nil {
		// Sends what is queued for at most 2 s, then gives up; how many
		// lines the collector never got goes to the local log.
		var err error
		if c, ok := o.syslog.(io.Closer); ok {
			err = c.Close()
		}
		var n uint64
		if d, ok := o.syslog.(interface{ Dropped() uint64 }); ok {
			n = d.Dropped()
		}
		if n > 0 || err != nil {
			zap.New(o.local).Warn("syslog forwarding dropped log lines", zap.Uint64("dropped", n), zap.Error(err))
		}
	}
	if o.batch != nil {
		if err := o.batch.Stop(); err != nil {
			fmt.Fprintln(o.stderr, "tlsgate: log lines lost at exit:", err)
		}
	}
	if o.file != nil {
		_ = o.file.Close()
	}
}

// newLogger builds the one logger the listeners share: the chosen format to
// a file or stderr, plus optional RFC 3164 syslog forwarding.
func newLogger(lc config.Log, stderr io.Writer) (*zap.Logger, *logOutput, error) {
	opts := bigiplog.Options{Format: lc.Format, Host: logHost(lc.Host, os.Hostname), PID: os.Getpid(), TMMs: 2, Lang: lc.Lang}
	enc, err := bigiplog.NewEncoder(opts)
	if err != nil {
		return nil, nil, err
	}
	level := zapcore.InfoLevel
	if lc.Level == "warning" || lc.Level == "warn" {
		level = zapcore.WarnLevel
	}
	out := &logOutput{stderr: stderr}
	var sink zapcore.WriteSyncer
	if lc.File != "" {
		// Whole lines only, so a reader tailing the file (an operator, or
		// the e2e tests) never waits on half a line: a line-by-line
		// append, or batches of whole lines (batchSink).
		lf, err := openLogFile(lc.File)
		if err != nil {
			return nil, nil, keyedError{"log.file", err}
		}
		out.file, sink = lf, lf
		if lc.FlushInterval > 0 {
			out.batch = newBatchSink(sink, lc.FlushInterval)
			sink = out.batch
		}
	} else {
		sink = zapcore.Lock(zapcore.AddSync(stderr))
	}
	cores := []zapcore.Core{zapcore.NewCore(enc, sink, level)}
	if lc.SyslogAddr != "" {
		sc, err := bigiplog.NewSyslogCore(lc.SyslogNetwork, lc.SyslogAddr, opts, level,
			syslogStatusLogger(zap.New(cores[0]), lc.SyslogNetwork+"://"+lc.SyslogAddr))
		if err != nil {
			out.Close()
			return nil, nil, keyedError{"log.syslog", err}
		}
		cores = append(cores, sc)
		out.syslog, out.local = sc, cores[0]
	}
	return zap.New(zapcore.NewTee(cores...)), out, nil
}

// syslogStatusLogger writes each change in syslog forwarding to the local
// log only: while the collector is down, or reads too slowly, the lines it
// misses wait in the queue and then drop, and the local log is where an
// operator looks to learn that. All are warnings, so level = "warning"
// keeps them.
func syslogStatusLogger(local *zap.Logger, target string) func(bigiplog.SyslogStatus) {
	return func(st bigiplog.SyslogStatus) {
		if st.Behind {
			// No outage: the collector reads, too slowly. Told once per
			// gap, when the sender gets past it, as the collector is.
			local.Warn("syslog forwarding fell behind: the collector reads more slowly than lines come, and lines that did not fit the queue (4096 lines, 4 MiB) were dropped",
				zap.String("syslog", target), zap.Uint64("dropped", st.Dropped))
			return
		}
		if st.Up {
			local.Warn("syslog forwarding resumed", zap.String("syslog", target),
				zap.Duration("down", st.Down.Round(time.Millisecond)), zap.Uint64("dropped", st.Dropped))
			return
		}
		local.Warn("syslog forwarding interrupted: lines wait in a queue (4096 lines, 4 MiB) and drop when it is full; retrying with backoff up to 30s",
			zap.String("syslog", target), zap.Error(st.Err))
	}
}

// logHost is the host name BIG-IP lines carry: [log] host, else the
// machine's short name, as tmm lines carry it (bigip-log.md §1.1:
// `pua-bigip`, not `pua-bigip.example.com`). "" leaves it to bigiplog,
// which says why it has none.
func logHost(configured string, hostname func() (string, error)) string {
	if configured != "" {
		return configured
	}
	h, err := hostname()
	if err != nil {
		return ""
	}
	short, _, _ := strings.Cut(h, ".")
	return short
}
