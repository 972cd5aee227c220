package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// RecordAt returns the text of the record that starts at offset in the
// decompressed stream of the file at path, as an Origin names it: the
// evidence behind an alert, read back for people to see. A gzip file is
// decompressed up to the offset. The record is cut at maxBytes.
func RecordAt(path string, offset int64, maxBytes int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if magic, _ := br.Peek(2); !isGzip(magic) {
		// Plain text: go straight to the record.
		if _, err := f.Seek(offset, io.SeekStart); err == nil {
			br.Reset(f)
			return recordAt(br, 0, offset, maxBytes)
		}
	}
	return ReadRecord(br, offset, maxBytes)
}

// ReadRecord is RecordAt over a stream read from its start, such as an S3
// object's body: a gzip stream is decompressed, and the bytes before
// offset are read and dropped.
func ReadRecord(r io.Reader, offset int64, maxBytes int) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var rd io.Reader = br
	if magic, _ := br.Peek(2); isGzip(magic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("cannot read gzip header: %w", err)
		}
		defer zr.Close()
		rd = zr
	}
	return recordAt(rd, offset, offset, maxBytes)
}

// recordAt skips skip bytes of rd, then reads the record there; offset
// names it in errors.
func recordAt(rd io.Reader, skip, offset int64, maxBytes int) ([]byte, error) {
	if _, err := io.CopyN(io.Discard, rd, skip); err != nil {
		return nil, fmt.Errorf("cannot reach byte %d: %w", offset, err)
	}
	in := bufio.NewReaderSize(rd, 16<<10)
	first, err := in.Peek(1)
	if err != nil {
		return nil, fmt.Errorf("nothing at byte %d: %w", offset, err)
	}
	var sc valueScanner
	sc.reset(first[0])
	var out []byte
	for len(out) <= maxBytes {
		if _, err := in.Peek(1); err != nil {
			return nil, fmt.Errorf("record at byte %d not complete: %w", offset, err)
		}
		chunk, _ := in.Peek(in.Buffered())
		if k := sc.scan(chunk); k >= 0 {
			if len(out)+k > maxBytes {
				break
			}
			return append(out, chunk[:k]...), nil
		}
		out = append(out, chunk...)
		in.Discard(len(chunk))
	}
	return nil, errors.New("record larger than the evidence bound")
}
