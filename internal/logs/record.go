package logs

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/tripline/tripline/internal/event"
)

var (
	errUnknownType = errors.New("record of unknown type: neither CloudTrail " +
		"(eventSource, eventName, eventTime), a Bedrock invocation log (schemaType, modelId, timestamp) " +
		"nor a risk event (normalized_risk_object, _time)")
	errNoEventTime = errors.New("cloudtrail record has no eventTime")
	errNoTimestamp = errors.New("bedrock invocation record has no timestamp")
	errNoRiskTime  = errors.New("risk record has no _time")
)

// classify decides a parsed record's log type and reads its time and id.
func classify(o *fastjson.Object) (lt event.LogType, t time.Time, id []byte, err error) {
	if o.Get("eventSource") != nil || o.Get("eventName") != nil {
		t, err = recordTime(o.Get("eventTime"), "eventTime", errNoEventTime)
		return event.CloudTrail, t, stringBytes(o.Get("eventID")), err
	}
	if isInvocation(o) {
		t, err = recordTime(o.Get("timestamp"), "timestamp", errNoTimestamp)
		return event.BedrockInvocation, t, stringBytes(o.Get("requestId")), err
	}
	if o.Get("normalized_risk_object") != nil {
		t, err = riskTime(o.Get("_time"))
		return event.Risk, t, stringBytes(o.Get("alert_id")), err
	}
	return event.UnknownLogType, time.Time{}, nil, errUnknownType
}

func isInvocation(o *fastjson.Object) bool {
	if st := stringBytes(o.Get("schemaType")); string(st) == "ModelInvocationLog" {
		return true
	}
	return o.Get("modelId") != nil && (o.Get("operation") != nil || o.Get("requestId") != nil)
}

// riskTime reads a risk record's _time: epoch seconds (as Splunk writes
// it, possibly fractional), or an RFC 3339 string.
func riskTime(v *fastjson.Value) (time.Time, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return time.Time{}, errNoRiskTime
	}
	if v.Type() == fastjson.TypeNumber {
		f, err := v.Float64()
		if err != nil {
			return time.Time{}, fmt.Errorf("cannot read _time: %w", err)
		}
		if n, err := v.Int64(); err == nil {
			return time.Unix(n, 0).UTC(), nil
		}
		sec := math.Floor(f)
		return time.Unix(int64(sec), int64(math.Round((f-sec)*1e9))).UTC(), nil
	}
	return recordTime(v, "_time", errNoRiskTime)
}

func recordTime(v *fastjson.Value, field string, missing error) (time.Time, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return time.Time{}, missing
	}
	b, err := v.StringBytes()
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot read %s: it is a %s, not a string", field, v.Type())
	}
	t, ok := event.ParseTime(b)
	if !ok {
		return time.Time{}, fmt.Errorf("cannot parse %s %q as an RFC 3339 time", field, clip(b))
	}
	return t, nil
}

func stringBytes(v *fastjson.Value) []byte {
	if v == nil {
		return nil
	}
	b, _ := v.StringBytes()
	return b
}

// clip shortens text quoted in an error message.
func clip(b []byte) string {
	const n = 64
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// appendValidUTF8 appends b to dst with each invalid UTF-8 sequence replaced
// by U+FFFD.
func appendValidUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:n]...)
		}
		b = b[n:]
	}
	return dst
}
