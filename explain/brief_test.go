package explain

import (
	"reflect"
	"testing"
)

// TestBriefAgrees checks DiagnoseBrief against Diagnose on every case the
// goldens cover: the parts a brief diagnosis fills are the same, Complete
// gives the whole Diagnosis back, and only connections that worked with no
// fault fired are ever brief.
func TestBriefAgrees(t *testing.T) {
	briefs := 0
	for _, tc := range diagCases() {
		t.Run(tc.name, func(t *testing.T) {
			full := Diagnose(tc.o)
			b := DiagnoseBrief(tc.o)
			if b.Code != full.Code || b.OK != full.OK || b.Summary != full.Summary ||
				!reflect.DeepEqual(b.BigIP, full.BigIP) || !reflect.DeepEqual(b.Warnings, full.Warnings) {
				t.Fatalf("brief differs from full:\nbrief %+v\nfull  %+v", b, full)
			}
			wantBrief := full.OK && len(tc.o.FaultFirings) == 0
			if b.Brief != wantBrief {
				t.Fatalf("Brief = %v, want %v (ok %v, %d fault firings)", b.Brief, wantBrief, full.OK, len(tc.o.FaultFirings))
			}
			if b.Brief {
				briefs++
				if b.Cause != "" || b.ClientSaw != "" || b.Checks != nil || b.Evidence != nil {
					t.Fatalf("brief diagnosis worded more than it needs: %+v", b)
				}
			}
			if got := Complete(tc.o, b); !reflect.DeepEqual(got, full) {
				t.Fatalf("Complete(brief) differs from Diagnose:\ngot  %+v\nwant %+v", got, full)
			}
			if got := Complete(tc.o, full); !reflect.DeepEqual(got, full) {
				t.Fatalf("Complete changed a full diagnosis:\ngot  %+v\nwant %+v", got, full)
			}
		})
	}
	if briefs == 0 {
		t.Fatal("no case was brief: the cases lost their successful connections")
	}
}
