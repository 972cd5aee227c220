package clickhouse

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/tripline/tripline/internal/event"
)

// Shipper inserts events into the shards' local tables in batches, at
// most once per batch.
//
// Idempotence is a checked high-water mark, not deduplication: every row
// carries its stream's name and batch number, and before the first insert
// of a stream into a shard's table (and after any failure) the shipper
// reads that table's highest batch number for the stream; a batch at or
// below it is already there and is skipped. This holds because
//   - the shipper, not a Distributed table, picks each event's shard (by
//     its id), so a re-sent batch goes where it went before;
//   - each (shard, table) part of a batch is one INSERT of one block into
//     a MergeTree table, which ClickHouse applies whole or not at all
//     (batches stay below max_insert_block_size rows);
//   - a stream's batch numbers only grow, and a batch re-sent after a
//     failure keeps its number and its events (the caller's spool assigns
//     both).
//
// The alternatives were weaker on this cluster: ClickHouse 18.16 has no
// insert_deduplication_token, and a ReplacingMergeTree keyed on the record
// id would need FINAL or argMax in every rule's query, order the table by
// id rather than by the rules' filters, and still show duplicates until
// parts merge. Exact duplicate deliveries (one record in two batches) are
// not removed here: that is the rules' reader's job, as in-process.
//
// A Shipper is safe for concurrent use by streams of different names; one
// stream's batches must be shipped in order by one caller.
type Shipper struct {
	layout *Layout
	shards []driver.Conn

	mu    sync.Mutex
	marks map[markKey]uint64
	stats ShipStats
}

type markKey struct {
	shard  int
	table  string
	stream string
}

// ShipStats counts what a Shipper did.
type ShipStats struct {
	// Rows inserted, and rows skipped because their batch was already in.
	Rows, Skipped int64
	// Misfits counts values that did not fit their column's kind (a number
	// in a text column, several values in a single-valued one), by
	// column name; such values are stored converted, and a rule reading
	// them may differ from the in-process engine.
	Misfits map[string]int64
}

// NewShipper returns a shipper into the layout's tables over one
// connection per shard, in the cluster's shard order.
func NewShipper(layout *Layout, shards []driver.Conn) *Shipper {
	return &Shipper{layout: layout, shards: shards, marks: map[markKey]uint64{}, stats: ShipStats{Misfits: map[string]int64{}}}
}

// Stats returns a copy of the counts so far.
func (s *Shipper) Stats() ShipStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.Misfits = map[string]int64{}
	for k, v := range s.stats.Misfits {
		out.Misfits[k] = v
	}
	return out
}

// row is one event's values, in the table's insert order.
type row []any

// Ship inserts batch number batch (1 and up) of a stream: the events of
// the source types the layout has (others are ignored). The events are
// read during the call only. A batch that fails may be shipped again, with
// the same number and events, and is then inserted where it was not.
func (s *Shipper) Ship(ctx context.Context, stream string, batch uint64, events []*event.Event) error {
	if batch == 0 {
		return fmt.Errorf("cannot ship batch 0 of stream %s: batch numbers start at 1", stream)
	}
	type part struct {
		shard int
		table *Table
	}
	parts := map[part][]row{}
	misfits := map[string]int64{}
	for _, ev := range events {
		t := s.layout.Tables[ev.LogType]
		if t == nil {
			continue
		}
		p := part{shard: s.shardOf(ev), table: t}
		parts[p] = append(parts[p], t.row(ev, stream, batch, misfits))
	}
	s.mu.Lock()
	for k, v := range misfits {
		s.stats.Misfits[k] += v
	}
	s.mu.Unlock()
	for p, rows := range parts {
		if err := s.insert(ctx, p.shard, p.table, stream, batch, rows); err != nil {
			return err
		}
	}
	return nil
}

// shardOf picks an event's shard from its id (its raw text when it has
// none), so that the same event always goes to the same shard.
func (s *Shipper) shardOf(ev *event.Event) int {
	h := fnv.New32a()
	if ev.ID != "" {
		h.Write([]byte(ev.ID))
	} else {
		h.Write(ev.Raw)
	}
	return int(h.Sum32() % uint32(len(s.shards)))
}

func (s *Shipper) insert(ctx context.Context, shard int, t *Table, stream string, batch uint64, rows []row) error {
	key := markKey{shard, t.Name(), stream}
	s.mu.Lock()
	mark, known := s.marks[key]
	s.mu.Unlock()
	conn := s.shards[shard]
	local := quoteIdent(s.layout.Database) + "." + quoteIdent(t.Name()+"_local")
	if !known {
		var m uint64
		q := fmt.Sprintf("SELECT max(batch) FROM %s WHERE stream = %s", local, quoteString(stream))
		if err := conn.QueryRow(ctx, q).Scan(&m); err != nil {
			return fmt.Errorf("cannot read the high-water mark of stream %s on shard %d: %w", stream, shard+1, err)
		}
		mark = m
		s.mu.Lock()
		s.marks[key] = mark
		s.mu.Unlock()
	}
	if batch <= mark {
		s.mu.Lock()
		s.stats.Skipped += int64(len(rows))
		s.mu.Unlock()
		return nil
	}
	fail := func(err error) error {
		s.mu.Lock()
		delete(s.marks, key) // read it again: the insert may have landed
		s.mu.Unlock()
		return fmt.Errorf("cannot insert batch %d of stream %s into %s on shard %d: %w", batch, stream, t.Name(), shard+1, err)
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+local+" ("+t.insertColumns()+")")
	if err != nil {
		return fail(err)
	}
	for _, r := range rows {
		if err := b.Append(r...); err != nil {
			_ = b.Abort()
			return fail(err)
		}
	}
	if err := b.Send(); err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.marks[key] = batch
	s.stats.Rows += int64(len(rows))
	s.mu.Unlock()
	return nil
}

// insertColumns names the columns in the order row fills them: inserts
// name their columns, which ClickHouse 18.16 needs over the native
// protocol.
func (t *Table) insertColumns() string {
	names := []string{"ts", "id", "stream", "batch", "raw", "k_source", "k_name"}
	for _, c := range t.Columns {
		names = append(names, quoteIdent(c.Name()))
	}
	return strings.Join(names, ", ")
}

// row computes an event's column values through the view's getters: the
// values the in-process engine reads.
func (t *Table) row(ev *event.Event, stream string, batch uint64, misfits map[string]int64) row {
	keys := sortKey[t.LogType]
	r := make(row, 0, 7+len(t.Columns))
	r = append(r, ev.Time.UnixNano(), ev.ID, stream, batch, string(ev.Raw))
	for i := 0; i < 2; i++ {
		s := ""
		if i < len(keys) {
			if v, ok := ev.Path(event.SplitPath(keys[i].path)).Str(); ok {
				s = v
			}
		}
		r = append(r, s)
	}
	for _, c := range t.Columns {
		v, fits := columnValue(c.Kind, c.get(ev))
		if !fits {
			misfits[c.Name()]++
		}
		r = append(r, v)
	}
	return r
}

// columnValue converts a value to what a column of kind k takes, and
// whether it fitted without loss.
func columnValue(k Kind, v event.Value) (any, bool) {
	if k == KindStrings {
		var ss []string
		fits := true
		for _, e := range v.Values() {
			s, ok := e.Str()
			if !ok || e.Kind() != event.String {
				fits = false
				s = e.String()
			}
			ss = append(ss, s)
		}
		if ss == nil {
			ss = []string{}
		}
		return ss, fits
	}
	if v.IsNull() {
		switch k {
		case KindLong, KindTime, KindEpoch:
			return (*int64)(nil), true
		case KindDouble:
			return (*float64)(nil), true
		case KindBool:
			return (*uint8)(nil), true
		}
		return (*string)(nil), true
	}
	switch k {
	case KindLong:
		if n, ok := v.Long(); ok {
			return &n, true
		}
		return (*int64)(nil), false
	case KindTime:
		if n, ok := v.Nanos(); ok {
			return &n, true
		}
		return (*int64)(nil), false
	case KindEpoch:
		if n, ok := v.Long(); ok {
			ns := n * 1e9
			return &ns, true
		}
		if f, ok := v.Double(); ok {
			ns := int64(math.Round(f * 1e9))
			return &ns, true
		}
		return (*int64)(nil), false
	case KindDouble:
		if f, ok := v.Number(); ok {
			return &f, v.Kind() == event.Double
		}
		return (*float64)(nil), false
	case KindBool:
		if b, ok := v.Bool(); ok {
			var u uint8
			if b {
				u = 1
			}
			return &u, true
		}
		return (*uint8)(nil), false
	case KindIP:
		s := v.String()
		return &s, v.Kind() == event.IP
	}
	s := v.String()
	return &s, v.Kind() == event.String
}

// quoteString quotes a ClickHouse string literal.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
