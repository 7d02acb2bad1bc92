package bigiplog

import (
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// addInterception adds the facts of transparent interception and inspect
// mode. Every key is written for every connection (empty, false or zero
// when it does not apply), like the rest of the Event.
func addInterception(enc zapcore.ObjectEncoder, o *explain.Outcome, d explain.Diagnosis) error {
	enc.AddString("transparent", o.Transparent)
	enc.AddString("orig_dst", addrString(o.OrigDst))
	enc.AddString("orig_dst_err", o.OrigDstErr)
	enc.AddString("bypass", o.Bypass)
	enc.AddBool("mimicked", o.Mimicked)
	enc.AddInt("fail_streak", o.FailStreak)
	// An explicit proxy's CONNECT (connect = "tunnel"): the host:port the
	// client asked for, which a SIEM searches by, and the status tlsgate
	// answered it with; "" and 0 on every other connection.
	enc.AddString("connect_target", o.Connect.Authority)
	enc.AddInt("connect_status", o.Connect.Status)
	err := enc.AddArray("http", httpArray(o.HTTP1))
	enc.AddInt("http_dropped", o.HTTPDropped)
	return firstErr(err, enc.AddArray("warnings", stringArray(append([]string{}, d.Warnings...))))
}

// httpArray is the decrypted HTTP/1 exchanges, one object each.
type httpArray []explain.HTTPExchange

func (h httpArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	var err error
	for _, x := range h {
		err = firstErr(err, enc.AppendObject(httpObject(x)))
	}
	return err
}

// httpObject is one exchange; sizes are body bytes, and undelivered says a
// fault kept the backend's response (its status) from the client.
type httpObject explain.HTTPExchange

func (x httpObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("method", x.Method)
	enc.AddString("target", x.Target)
	enc.AddString("host", x.Host)
	enc.AddString("proto", x.Proto)
	enc.AddInt("status", x.Status)
	enc.AddInt64("req_bytes", x.ReqBytes)
	enc.AddInt64("resp_bytes", x.RespBytes)
	enc.AddBool("upgraded", x.Upgraded)
	enc.AddBool("undelivered", x.Undelivered)
	return nil
}
