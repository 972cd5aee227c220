package geoip_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/tripline/tripline/internal/geoip"
	"github.com/tripline/tripline/internal/geoip/geoiptest"
)

func TestLocate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	err := geoiptest.Write(path, []geoiptest.Entry{
		{Network: "203.0.113.0/24", City: "Lisbon", Country: "Portugal", Region: "Lisbon District", Continent: "Europe", Timezone: "Europe/Lisbon", Lat: 38.72, Lon: -9.14},
		{Network: "198.51.100.0/24", Country: "Brazil", Lat: -10, Lon: -55},
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cases := []struct {
		ip   string
		want geoip.Location
		ok   bool
	}{
		{"203.0.113.7", geoip.Location{City: "Lisbon", Country: "Portugal", Region: "Lisbon District", Continent: "Europe", Timezone: "Europe/Lisbon", Lat: 38.72, Lon: -9.14, HasCoords: true}, true},
		// A country-level network: the city and region are empty.
		{"198.51.100.9", geoip.Location{Country: "Brazil", Lat: -10, Lon: -55, HasCoords: true}, true},
		{"::ffff:203.0.113.7", geoip.Location{City: "Lisbon", Country: "Portugal", Region: "Lisbon District", Continent: "Europe", Timezone: "Europe/Lisbon", Lat: 38.72, Lon: -9.14, HasCoords: true}, true},
		{"10.0.0.1", geoip.Location{}, false},
	}
	for _, c := range cases {
		got, ok := db.Locate(netip.MustParseAddr(c.ip), "")
		if ok != c.ok || got != c.want {
			t.Errorf("Locate(%s) = %+v, %v; want %+v, %v", c.ip, got, ok, c.want, c.ok)
		}
	}
	if _, err := geoip.Open(filepath.Join(t.TempDir(), "none.mmdb")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
}
