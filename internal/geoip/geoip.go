// Package geoip reads MaxMind DB (.mmdb) files that the user supplies:
// a city or country database (GeoLite2-City, GeoIP2-City, or any database
// of that layout) gives the location of an IP address, for SPL's
// iplocation and for the source.geo.* fields of the ECS view; an ASN
// database (GeoLite2-ASN) gives its autonomous system, for source.as.*.
//
// geoip imports the standard library and the MaxMind DB reader only.
package geoip

import (
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB is an open database. It is safe for concurrent use.
type DB struct {
	r      *maxminddb.Reader
	cities cache[City]
	ases   cache[AS]
}

// Open opens a MaxMind DB file.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open GeoIP database: %w", err)
	}
	return &DB{r: r}, nil
}

// Close releases the database.
func (d *DB) Close() error { return d.r.Close() }

// Location is what a database holds for an address. Names are in the
// language asked for, falling back to English; a name the database does
// not have is empty.
type Location struct {
	City, Country, Region, Continent, Timezone string
	MetroCode                                  int64
	Lat, Lon                                   float64
	// HasCoords and HasMetro say whether the database gave coordinates and
	// a metro code.
	HasCoords, HasMetro bool
}

type record struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"continent"`
	Country struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
		MetroCode *int64   `maxminddb:"metro_code"`
		TimeZone  string   `maxminddb:"time_zone"`
	} `maxminddb:"location"`
}

// Locate returns the location of an address, and false when the database
// does not hold it (private and reserved ranges, for one) or cannot be
// read there.
func (d *DB) Locate(ip netip.Addr, lang string) (Location, bool) {
	if !ip.IsValid() {
		return Location{}, false
	}
	res := d.r.Lookup(ip.Unmap())
	if !res.Found() {
		return Location{}, false
	}
	var rec record
	if err := res.Decode(&rec); err != nil {
		return Location{}, false
	}
	if lang == "" {
		lang = "en"
	}
	name := func(m map[string]string) string {
		if s, ok := m[lang]; ok {
			return s
		}
		return m["en"]
	}
	loc := Location{
		City:      name(rec.City.Names),
		Country:   name(rec.Country.Names),
		Continent: name(rec.Continent.Names),
		Timezone:  rec.Location.TimeZone,
	}
	if len(rec.Subdivisions) > 0 {
		loc.Region = name(rec.Subdivisions[0].Names)
	}
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		loc.Lat, loc.Lon, loc.HasCoords = *rec.Location.Latitude, *rec.Location.Longitude, true
	}
	if rec.Location.MetroCode != nil {
		loc.MetroCode, loc.HasMetro = *rec.Location.MetroCode, true
	}
	return loc, true
}
