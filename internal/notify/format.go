package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/alert"
)

// Output formats accepted by Encode and by every sink.
const (
	// FormatTripline is the alert's own JSON, byte for byte what
	// `tripline hunt --format ndjson` writes on each line.
	FormatTripline = "tripline"
	// FormatECS is a Kibana-style alert document (kibana.alert.* fields,
	// event.kind "signal", the result row's fields at the top level).
	FormatECS = "ecs"
	// FormatOCSF is an OCSF 1.1.0 Detection Finding (class_uid 2004).
	FormatOCSF = "ocsf"
)

// Formats lists the output formats, the default first.
var Formats = []string{FormatTripline, FormatECS, FormatOCSF}

// Encode renders an alert as one JSON document in the named format, without
// a trailing newline. An empty format means FormatTripline.
func Encode(format string, a *alert.Alert) ([]byte, error) {
	switch format {
	case "", FormatTripline:
		return marshal(a)
	case FormatECS:
		return marshal(ecsDocument(a))
	case FormatOCSF:
		return marshal(ocsfFinding(a))
	}
	return nil, fmt.Errorf("cannot encode alert %s: %w", a.ID, checkFormat(format))
}

// checkFormat reports whether format names one of Formats ("" included).
func checkFormat(format string) error {
	if format == "" {
		return nil
	}
	for _, f := range Formats {
		if format == f {
			return nil
		}
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// marshal writes v as alert.WriteNDJSON does (no HTML escaping) and drops
// the encoder's newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// isoMillis is the timestamp layout of Kibana alert documents.
const isoMillis = "2006-01-02T15:04:05.000Z"
