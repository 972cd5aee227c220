package source

import (
	"context"
	"io"
	"strings"
	"testing"
)

// A stream is delivered in chunks of whole lines, each placed by the line
// and byte it starts at, the last line delivered even without its newline.
func TestReaderChunks(t *testing.T) {
	line := strings.Repeat("x", 999) + "\n"
	text := strings.Repeat(line, 3000) + "tail"
	r := &Reader{R: strings.NewReader(text), Name: "-", StreamName: "stdin"}
	var got strings.Builder
	var starts []int
	err := r.Run(context.Background(), func(_ context.Context, c Chunk) error {
		if c.Stream != "stdin" || c.Name != "-" {
			t.Errorf("chunk named %q in stream %q", c.Name, c.Stream)
		}
		if int64(got.Len()) != c.Start.Offset || strings.Count(got.String(), "\n")+1 != c.Start.Line {
			t.Errorf("chunk at line %d byte %d, after %d bytes", c.Start.Line, c.Start.Offset, got.Len())
		}
		b, _ := io.ReadAll(c.Data)
		got.Write(b)
		starts = append(starts, c.Start.Line)
		return nil
	})
	if err != nil || got.String() != text {
		t.Fatalf("delivered %d of %d bytes, %v", got.Len(), len(text), err)
	}
	if len(starts) < 3 {
		t.Errorf("%d chunks for 3 MB, want them bounded near 1 MB", len(starts))
	}
}
