package source

import (
	"bytes"
	"context"
	"io"

	"github.com/tripline/tripline/internal/logs"
)

// maxReaderChunk is how much of a stream a Reader gathers, in whole lines,
// before it delivers.
const maxReaderChunk = 1 << 20

// Reader is a source that reads one stream to its end (standard input),
// delivering it in chunks of whole lines. It has no positions: a stream
// cannot be read again.
type Reader struct {
	R io.Reader
	// Name names the chunks in event origins ("-" for standard input);
	// StreamName is the stream their events keep watermarks under.
	Name, StreamName string
}

// Run delivers the stream until it ends, ctx is done or Deliver fails.
func (r *Reader) Run(ctx context.Context, deliver Deliver) error {
	buf := make([]byte, 0, maxReaderChunk)
	tmp := make([]byte, 256<<10)
	line, off := 1, int64(0)
	flush := func(upto int) error {
		chunk := append([]byte(nil), buf[:upto]...)
		start := logs.StreamStart{Line: line, Offset: off}
		line += bytes.Count(chunk, []byte{'\n'})
		off += int64(upto)
		buf = append(buf[:0], buf[upto:]...)
		return deliver(ctx, Chunk{Name: r.Name, Stream: r.StreamName, Data: bytes.NewReader(chunk), Start: start})
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.R.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 && (len(buf) >= maxReaderChunk || err != nil) {
			if e := flush(i + 1); e != nil {
				return e
			}
		}
		if err == io.EOF {
			if len(buf) > 0 {
				return flush(len(buf))
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}
