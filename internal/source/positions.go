package source

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"
)

// Position says how far one input has been read.
type Position struct {
	// Offset is the number of bytes of the input read, as stored: for a
	// growing file, up to the end of the last complete line delivered.
	Offset int64 `json:"offset,omitempty"`
	// Lines is the number of lines that Offset covers.
	Lines int `json:"lines,omitempty"`
	// Size and ModTime are the input's size and modification time when it
	// was last read.
	Size    int64     `json:"size,omitempty"`
	ModTime time.Time `json:"mtime,omitzero"`
	// Inode identifies a file, to tell a rotated or replaced file from the
	// one that was read; zero where the platform has none.
	Inode uint64 `json:"inode,omitempty"`
	// Done marks an input read whole (a gzip file, an S3 object), never to
	// be read again unless it is replaced.
	Done bool `json:"done,omitempty"`
	// ETag is the S3 object's entity tag when it was read.
	ETag string `json:"etag,omitempty"`
	// Head is a hash of the file's first bytes (up to headLen, within
	// Offset), to tell a renamed file from a new file that reuses a
	// deleted file's inode.
	Head uint64 `json:"head,omitempty"`
}

func (a Position) equal(b Position) bool {
	mt := a.ModTime.Equal(b.ModTime)
	a.ModTime, b.ModTime = time.Time{}, time.Time{}
	return mt && a == b
}

// Positions is the checkpoint of what the sources have read: a Position per
// input key (a file path, or s3://bucket/key). Sources update it as chunks
// are delivered; the engine saves it with Marshal and hands it back after a
// restart with Unmarshal. It is safe for concurrent use.
type Positions struct {
	mu      sync.Mutex
	m       map[string]Position
	version uint64
}

// positionsFile is the JSON form of Positions.
type positionsFile struct {
	Version   int                 `json:"version"`
	Positions map[string]Position `json:"positions"`
}

// NewPositions returns empty Positions.
func NewPositions() *Positions {
	return &Positions{m: map[string]Position{}}
}

// Get returns the position recorded for key.
func (p *Positions) Get(key string) (Position, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pos, ok := p.m[key]
	return pos, ok
}

// Set records pos for key.
func (p *Positions) Set(key string, pos Position) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.m[key]; ok && old.equal(pos) {
		return
	}
	if p.m == nil {
		p.m = map[string]Position{}
	}
	p.m[key] = pos
	p.version++
}

// Delete forgets key.
func (p *Positions) Delete(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[key]; ok {
		delete(p.m, key)
		p.version++
	}
}

// Len is the number of keys recorded.
func (p *Positions) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}

// Version changes whenever the positions change, so that a caller can skip
// saving positions it already saved.
func (p *Positions) Version() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.version
}

// withPrefix returns a copy of the positions whose key starts with prefix.
func (p *Positions) withPrefix(prefix string) map[string]Position {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]Position{}
	for k, v := range p.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// Marshal returns the positions as JSON, keys in order.
func (p *Positions) Marshal() ([]byte, error) {
	p.mu.Lock()
	f := positionsFile{Version: 1, Positions: maps.Clone(p.m)}
	p.mu.Unlock()
	if f.Positions == nil {
		f.Positions = map[string]Position{}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("cannot encode positions: %w", err)
	}
	return b, nil
}

// Unmarshal replaces the positions with those in data, as Marshal wrote
// them. Empty data means no positions.
func (p *Positions) Unmarshal(data []byte) error {
	var f positionsFile
	if len(data) > 0 {
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("cannot decode positions: %w", err)
		}
		if f.Version != 1 {
			return fmt.Errorf("cannot decode positions: unknown version %d", f.Version)
		}
	}
	if f.Positions == nil {
		f.Positions = map[string]Position{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m = f.Positions
	p.version++
	return nil
}
