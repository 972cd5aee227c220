package logs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
)

func TestReadRiskRecords(t *testing.T) {
	tests := []struct {
		name    string
		rec     string
		time    time.Time
		id      string
		problem string // part of the problem's message; "" for a good record
	}{
		{name: "epoch seconds", rec: `{"_time":1764000000,"normalized_risk_object":"alice","alert_id":"a1"}`,
			time: time.Unix(1764000000, 0), id: "a1"},
		{name: "fractional epoch", rec: `{"normalized_risk_object":"alice","_time":1764000000.25}`,
			time: time.Unix(1764000000, 250e6)},
		{name: "RFC 3339", rec: `{"normalized_risk_object":null,"_time":"2026-11-24T16:00:00Z","alert_id":"a2"}`,
			time: time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC), id: "a2"},
		{name: "no time", rec: `{"normalized_risk_object":"alice"}`, problem: "risk record has no _time"},
		{name: "bad time", rec: `{"normalized_risk_object":"alice","_time":"soon"}`, problem: `cannot parse _time "soon"`},
		{name: "not risk", rec: `{"risk_object":"alice","_time":1}`, problem: "nor a risk event"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []event.Event
			st, err := ReadStream(context.Background(), "risk", strings.NewReader(tc.rec+"\n"), StreamStart{}, Options{},
				func(_ int, ev *event.Event) error {
					got = append(got, event.Event{LogType: ev.LogType, Time: ev.Time, ID: ev.ID})
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if tc.problem != "" {
				if len(got) != 0 || st.Bad != 1 || !strings.Contains(st.BadSamples[0].Err.Error(), tc.problem) {
					t.Fatalf("got %v, bad %d %v; want the problem %q", got, st.Bad, st.BadSamples, tc.problem)
				}
				return
			}
			if len(got) != 1 || st.Bad != 0 {
				t.Fatalf("got %v, bad %v; want one record", got, st.BadSamples)
			}
			if ev := got[0]; ev.LogType != event.Risk || !ev.Time.Equal(tc.time) || ev.ID != tc.id || st.Records[event.Risk] != 1 {
				t.Errorf("record %s %v %q, want risk %v %q", ev.LogType, ev.Time, ev.ID, tc.time, tc.id)
			}
		})
	}
}
