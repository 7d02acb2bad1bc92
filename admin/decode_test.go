package admin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestDecodeRuleIsStrictAboutNames: a key given twice, or in another case
// than the config file's, is refused rather than resolved silently
// (encoding/json keeps the last value and ignores case).
func TestDecodeRuleIsStrictAboutNames(t *testing.T) {
	for _, tc := range []struct{ in, field, want string }{
		{`{"name":"a","action":"reset","action":"close"}`, "action", "given twice"},
		{`{"name":"x","ACTION":"reset","Stage":"accept"}`, "ACTION", "unknown field"},
		{`{"name":"x","action":"reset","Action":"close"}`, "Action", "unknown field"},
		// 0s would read as no duration (until removed) and vanish from
		// fault ls; it used to be taken silently.
		{`{"name":"x","action":"refuse","duration":"0s"}`, "duration", `field "duration": 0s would last no time`},
		{`{"name":"x","action":"refuse","duration":0}`, "duration", "leave duration out"},
		// 0 would read as never fire, and meant no limit: it fired every
		// time. PUT /faults reads each rule the same way (below).
		{`{"name":"x","action":"reset","max_fires":0}`, "max_fires", "leave max_fires out for a rule that fires without limit"},
	} {
		_, err := DecodeRule([]byte(tc.in))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want field %q: %s", tc.in, err, tc.field, tc.want)
		}
	}
}

// TestDecodeRulesRefusesZeroMaxFires: PUT /faults refuses max_fires = 0
// as POST does, with the index of the rule, and takes a positive count.
func TestDecodeRulesRefusesZeroMaxFires(t *testing.T) {
	_, err := DecodeRules([]byte(`[{"name":"a","action":"reset","max_fires":2},{"name":"b","action":"reset","max_fires":0}]`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "max_fires" || fe.Index != 1 || !strings.Contains(err.Error(), "leave max_fires out") {
		t.Errorf("error %v, want rule 1's max_fires refused", err)
	}
	rules, err := DecodeRules([]byte(`[{"name":"a","action":"reset","max_fires":2},{"name":"b","action":"reset"}]`))
	if err != nil || rules[0].MaxFires != 2 || rules[1].MaxFires != 0 {
		t.Errorf("positive and left out: %+v %v", rules, err)
	}
}

// TestDecodeRulesRefusesNull: PUT /faults with null used to decode as no
// rules and wipe them all; only [] does that.
func TestDecodeRulesRefusesNull(t *testing.T) {
	if _, err := DecodeRules([]byte(" null ")); err == nil || !strings.Contains(err.Error(), "got null") {
		t.Errorf("null: error %v, want a refusal", err)
	}
	if rules, err := DecodeRules([]byte("[]")); err != nil || rules == nil || len(rules) != 0 {
		t.Errorf("[]: %v %v, want an empty rule set", rules, err)
	}
}

func TestDecodeRuleNullFields(t *testing.T) {
	r, err := DecodeRule([]byte(`{"name":"a","action":"reset","probability":null,"alert":null,"latency":null,"duration":null,"max_fires":null}`))
	if err != nil || r.Probability != nil || r.Alert != nil || r.Latency != 0 || r.Duration != 0 || r.MaxFires != 0 {
		t.Fatalf("got %+v %v", r, err)
	}
}

// checkDecodeError is what every decode failure must look like: a
// FieldError naming a field, with an admin-prefixed message.
func checkDecodeError(t *testing.T, in []byte, err error) {
	t.Helper()
	var fe *FieldError
	// A member with an empty key is the one case where the field is "".
	if !errors.As(err, &fe) || fe.Field == "" && !strings.Contains(err.Error(), `field "": unknown field`) {
		t.Fatalf("input %q: error %v is not a FieldError with a field", in, err)
	}
	if msg := err.Error(); len(msg) < 7 || msg[:7] != "admin: " {
		t.Fatalf("input %q: error %q lacks the admin: prefix", in, msg)
	}
}

func FuzzDecodeRule(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","action":"reset"}`,
		`{"name":"a","action":"alert","alert":"unknown_ca","then":"rst"}`,
		`{"name":"a","action":"latency","latency":250,"jitter":"10ms"}`,
		`{"name":"a","action":"version","min_version":1.2}`,
		`{"name":"a","x":1}`,
		`[1]`, `{`, `{}`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := DecodeRule(in)
		if err != nil {
			checkDecodeError(t, in, err)
			return
		}
		// What decoded must survive an encode and a second decode.
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("input %q: re-encoding %+v: %v", in, r, err)
		}
		if _, err := DecodeRule(b); err != nil {
			t.Fatalf("input %q: re-encoded %s does not decode: %v", in, b, err)
		}
		_ = r.Validate()
	})
}

func FuzzDecodeRules(f *testing.F) {
	for _, s := range []string{
		`[{"name":"a","action":"reset"},{"name":"b","action":"close"}]`,
		`[]`, `[{}]`, `[1,2]`, `{"name":"a"}`, `[`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		rules, err := DecodeRules(in)
		if err != nil {
			checkDecodeError(t, in, err)
			return
		}
		if rules == nil {
			t.Fatalf("input %q: nil rules without an error", in)
		}
	})
}
