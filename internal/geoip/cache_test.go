package geoip

import (
	"net/netip"
	"testing"
)

// The cache stays within twice its capacity and keeps what is read again.
func TestCacheBounded(t *testing.T) {
	c := cache[int]{capacity: 4}
	hot := netip.MustParseAddr("192.0.2.1")
	one := 1
	c.put(hot, &one)
	for i := range 100 {
		c.put(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), nil)
		if _, ok := c.get(hot); !ok {
			t.Fatalf("after %d puts the address read each time is gone", i+1)
		}
		if n := c.len(); n > 8 {
			t.Fatalf("cache holds %d addresses, more than twice its capacity", n)
		}
	}
	if v, ok := c.get(netip.AddrFrom4([4]byte{10, 0, 0, 99})); !ok || v != nil {
		t.Errorf("a remembered miss reads %v, %v", v, ok)
	}
}
