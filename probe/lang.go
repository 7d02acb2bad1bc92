package probe

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// The languages the probe writes in.
const (
	LangEN = "en"
	LangJA = "ja"
)

// msg is one sentence for people, in English and in Japanese. Placeholders
// are {name}; both languages use the same set, in whatever order their
// grammar wants, which is why they are named and not positional.
type msg struct {
	en, ja string
}

// texts is every sentence the probe writes for people, by key. It is built
// per run (a map, not a package variable, so no state is shared).
func texts() map[string]msg {
	m := map[string]msg{}
	for _, part := range []map[string]msg{reportTexts(), connectTexts(), helloTexts(), versionTexts(), sniTexts(), chainTexts(), sizeTexts(), httpTexts()} {
		maps.Copy(m, part)
	}
	return m
}

// tr renders texts in one language.
type tr struct {
	lang string
	m    map[string]msg
}

// newTr returns the renderer for lang; anything but LangJA is English.
func newTr(lang string) tr {
	if lang != LangJA {
		lang = LangEN
	}
	return tr{lang: lang, m: texts()}
}

// f renders the text key with its placeholders filled from kv, given as
// name, value pairs. An unknown key renders as itself, so a slip shows in
// the output (and TestTextKeysUsed catches it first).
func (t tr) f(key string, kv ...string) string {
	m, ok := t.m[key]
	if !ok {
		return key
	}
	s := m.en
	if t.lang == LangJA {
		s = m.ja
	}
	if len(kv) == 0 {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// en is the same texts in English, for attempt details, which are
// evidence and stay English in every report.
func (t tr) en() tr { return tr{lang: LangEN, m: t.m} }

// ja reports whether the renderer writes Japanese.
func (t tr) ja() bool { return t.lang == LangJA }

// bytes phrases a count of bytes, "1 byte" or "1,448 bytes" (「N バイト」).
func (t tr) bytes(n int) string {
	switch {
	case t.ja():
		return fmtInt(n) + " バイト"
	case n == 1:
		return "1 byte"
	}
	return fmtInt(n) + " bytes"
}

// days phrases a span as "N days" (「N日」), or in hours under a day.
func (t tr) days(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < 24*time.Hour {
		h := int(d.Hours())
		switch {
		case t.ja():
			return fmt.Sprintf("%d時間", h)
		case h == 1:
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", h)
	}
	n := int(d.Hours() / 24)
	switch {
	case t.ja():
		return fmt.Sprintf("%d日", n)
	case n == 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// join lists names (cipher families) as each language separates them.
func (t tr) join(items []string) string {
	if t.ja() {
		return strings.Join(items, "、")
	}
	return strings.Join(items, ", ")
}

// list joins items the way each language writes a list: "a, b and c", 「a、b、c」.
func (t tr) list(items []string) string {
	if t.ja() {
		return strings.Join(items, "、")
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
