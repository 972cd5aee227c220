package geoip_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/tripline/tripline/internal/geoip"
	"github.com/tripline/tripline/internal/geoip/geoiptest"
)

func openCity(t *testing.T) *geoip.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mmdb")
	err := geoiptest.Write(path, []geoiptest.Entry{
		{Network: "203.0.113.0/24", City: "Lisbon", Country: "Portugal", CountryISO: "PT", Region: "Lisbon", RegionISO: "11",
			Continent: "Europe", Timezone: "Europe/Lisbon", Lat: 38.72, Lon: -9.14},
		// Two subdivisions: the region is the most specific one.
		{Network: "198.51.100.0/25", City: "Manchester", Country: "United Kingdom", CountryISO: "GB", Continent: "Europe",
			Subdivisions: []geoiptest.Subdivision{{Name: "England", ISO: "ENG"}, {Name: "Manchester", ISO: "MAN"}}, Lat: 53.48, Lon: -2.24},
		// A country-level network without coordinates; a subdivision without a code.
		{Network: "198.51.100.128/25", Country: "Brazil", CountryISO: "BR", Region: "São Paulo", NoLocation: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// City reads a City database as Elasticsearch's geoip processor does
// with its default properties.
func TestCity(t *testing.T) {
	db := openCity(t)
	if db.Type() != "GeoLite2-City" || db.IsASN() {
		t.Errorf("Type() = %q, IsASN() = %v", db.Type(), db.IsASN())
	}
	cases := []struct {
		ip   string
		want *geoip.City
	}{
		{"203.0.113.7", &geoip.City{CityName: "Lisbon", CountryName: "Portugal", CountryISOCode: "PT", ContinentName: "Europe",
			RegionName: "Lisbon", RegionISOCode: "PT-11", Lat: 38.72, Lon: -9.14, HasLocation: true}},
		{"::ffff:203.0.113.7", &geoip.City{CityName: "Lisbon", CountryName: "Portugal", CountryISOCode: "PT", ContinentName: "Europe",
			RegionName: "Lisbon", RegionISOCode: "PT-11", Lat: 38.72, Lon: -9.14, HasLocation: true}},
		{"198.51.100.5", &geoip.City{CityName: "Manchester", CountryName: "United Kingdom", CountryISOCode: "GB", ContinentName: "Europe",
			RegionName: "Manchester", RegionISOCode: "GB-MAN", Lat: 53.48, Lon: -2.24, HasLocation: true}},
		// region_iso_code needs both codes; location needs both coordinates.
		{"198.51.100.200", &geoip.City{CountryName: "Brazil", CountryISOCode: "BR", RegionName: "São Paulo"}},
		{"10.0.0.1", nil},
		{"2001:db8::1", nil},
	}
	for _, c := range cases {
		for range 2 { // the second time from the cache
			got := db.City(netip.MustParseAddr(c.ip))
			if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
				t.Errorf("City(%s) = %+v; want %+v", c.ip, got, c.want)
			}
		}
	}
	if db.City(netip.Addr{}) != nil {
		t.Error("City of the zero address is not nil")
	}
}

func TestAS(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	err := geoiptest.WriteASN(path, []geoiptest.ASNEntry{
		{Network: "203.0.113.0/24", Number: 64500, Org: "Example Hosting Ltd"},
		{Network: "198.51.100.0/24", Number: 64501},
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.IsASN() {
		t.Errorf("IsASN() of a %s database = false", db.Type())
	}
	cases := []struct {
		ip   string
		want *geoip.AS
	}{
		{"203.0.113.9", &geoip.AS{Number: 64500, Organization: "Example Hosting Ltd", HasNumber: true}},
		{"198.51.100.1", &geoip.AS{Number: 64501, HasNumber: true}},
		{"192.0.2.1", nil},
	}
	for _, c := range cases {
		got := db.AS(netip.MustParseAddr(c.ip))
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("AS(%s) = %+v; want %+v", c.ip, got, c.want)
		}
	}
	// An ASN database holds no location.
	if c := db.City(netip.MustParseAddr("203.0.113.9")); c != nil && *c != (geoip.City{}) {
		t.Errorf("City from an ASN database = %+v", c)
	}
}
