package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/tripline/tripline/internal/event"
)

// Run runs the query for the window [from, to) and returns its rows, each
// value in the query's Columns order as the in-process engine would hold
// it: an empty array is null, a one-element array a single value.
func (q *Query) Run(ctx context.Context, conn driver.Conn, from, to time.Time) ([][]event.Value, error) {
	rows, err := conn.Query(ctx, q.SQL(from, to))
	if err != nil {
		return nil, fmt.Errorf("cannot run query on ClickHouse: %w", err)
	}
	defer rows.Close()
	var out [][]event.Value
	dest := make([]any, len(q.Columns))
	for i, c := range q.Columns {
		switch c.Kind {
		case KindLong, KindTime, KindEpoch:
			dest[i] = new(*int64)
		case KindDouble:
			dest[i] = new(*float64)
		case KindBool:
			dest[i] = new(*uint8)
		case KindStrings:
			dest[i] = new([]string)
		default:
			dest[i] = new(*string)
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("cannot read a row from ClickHouse: %w", err)
		}
		row := make([]event.Value, len(q.Columns))
		for i, c := range q.Columns {
			row[i] = readValue(c.Kind, dest[i])
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cannot read rows from ClickHouse: %w", err)
	}
	return out, nil
}

func readValue(k Kind, d any) event.Value {
	switch k {
	case KindLong, KindTime, KindEpoch:
		p := *d.(**int64)
		if p == nil {
			return event.Value{}
		}
		switch {
		case k == KindTime:
			return event.TimeNanos(*p)
		case k == KindEpoch && *p%1e9 != 0:
			return event.DoubleValue(float64(*p) / 1e9)
		case k == KindEpoch:
			return event.LongValue(*p / 1e9)
		}
		return event.LongValue(*p)
	case KindDouble:
		if p := *d.(**float64); p != nil {
			return event.DoubleValue(*p)
		}
	case KindBool:
		if p := *d.(**uint8); p != nil {
			return event.BoolValue(*p != 0)
		}
	case KindStrings:
		return event.StringsValue(*d.(*[]string))
	case KindIP:
		if p := *d.(**string); p != nil {
			return event.IPValue(*p)
		}
	default:
		if p := *d.(**string); p != nil {
			return event.StringValue(*p)
		}
	}
	return event.Value{}
}
