package source

import (
	"context"
	"io"

	"github.com/tripline/tripline/internal/logs"
)

// Chunk is one piece of input a source delivers: a whole file or object, or
// the complete lines appended to a growing file since the last chunk.
type Chunk struct {
	// Name names the input in event origins: a file path, or
	// s3://bucket/key.
	Name string
	// Data is the chunk's bytes, gzip or plain, as stored. It is valid only
	// until Deliver returns.
	Data io.Reader
	// Start places Data in its input: the line and offset of its first
	// byte, for logs.ReadStream.
	Start logs.StreamStart
	// Key is the chunk's key in Positions.
	Key string
	// Position is what the source records under Key once the chunk was
	// delivered: how far the input has been read.
	Position Position
	// Stream names the stream the chunk belongs to, whose events keep a
	// watermark of their own in the engine: the watched directory, or
	// s3://bucket/prefix.
	Stream string
}

// caughtUp wraps deliver to count what it delivers, so that a source can
// tell, after a pass, whether it found nothing new.
func caughtUp(deliver Deliver) (Deliver, *int) {
	n := new(int)
	return func(ctx context.Context, c Chunk) error {
		*n++
		return deliver(ctx, c)
	}, n
}

// Deliver processes a chunk, typically by decoding it with logs.ReadStream.
// A nil error means the chunk was processed: the source then records
// c.Position. An error means it was not: the source keeps its position
// before the chunk and offers the same input again later. A Deliver that
// checkpoints its own state may record c.Position in the same Positions
// itself, under the same lock as its state, before it returns; the source
// records the same value again.
type Deliver func(ctx context.Context, c Chunk) error

// Source is a live source of chunks.
type Source interface {
	// Run delivers chunks until ctx is done, then returns nil; it returns
	// an error only when it cannot run at all. A failing Deliver is logged
	// and its chunk offered again on a later poll.
	Run(ctx context.Context, deliver Deliver) error
}

var (
	_ Source = (*Dir)(nil)
	_ Source = (*S3)(nil)
)
