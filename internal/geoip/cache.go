package geoip

import (
	"net/netip"
	"sync"
)

// cacheSize bounds each cache: it holds at most twice this many
// addresses, the recent ones.
const cacheSize = 1 << 14

// cache remembers lookups per address, misses included, in two
// generations: when the young one fills, it becomes the old one and the
// old one is dropped, so that addresses still in use survive and memory
// stays bounded. It is safe for concurrent use.
type cache[T any] struct {
	mu       sync.Mutex
	young    map[netip.Addr]*T
	old      map[netip.Addr]*T
	capacity int
}

func (c *cache[T]) get(ip netip.Addr) (*T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.young[ip]; ok {
		return v, true
	}
	if v, ok := c.old[ip]; ok {
		c.putLocked(ip, v)
		return v, true
	}
	return nil, false
}

func (c *cache[T]) put(ip netip.Addr, v *T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(ip, v)
}

func (c *cache[T]) putLocked(ip netip.Addr, v *T) {
	n := c.capacity
	if n <= 0 {
		n = cacheSize
	}
	if c.young == nil {
		c.young = make(map[netip.Addr]*T)
	}
	if len(c.young) >= n {
		c.old, c.young = c.young, make(map[netip.Addr]*T, n)
	}
	c.young[ip] = v
}

// len is how many addresses the cache holds, for tests.
func (c *cache[T]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.young) + len(c.old)
}
