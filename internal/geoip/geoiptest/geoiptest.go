// Package geoiptest writes small MaxMind DB files in the GeoLite2-City
// layout, for tests of iplocation. It is imported by tests only.
package geoiptest

import (
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Entry is the location of one network. Empty names are left out of the
// record; Country "" writes no country.
type Entry struct {
	Network                                    string // CIDR
	City, Country, Region, Continent, Timezone string
	Lat, Lon                                   float64
}

// Write writes a GeoLite2-City-like database of the entries to path.
func Write(path string, entries []Entry) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 28,
		IncludeReservedNetworks: true, Languages: []string{"en"}})
	if err != nil {
		return err
	}
	names := func(s string) mmdbtype.Map {
		return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(s)}}
	}
	for _, e := range entries {
		_, network, err := net.ParseCIDR(e.Network)
		if err != nil {
			return err
		}
		rec := mmdbtype.Map{
			"location": mmdbtype.Map{"latitude": mmdbtype.Float64(e.Lat), "longitude": mmdbtype.Float64(e.Lon)},
		}
		if e.Timezone != "" {
			rec["location"].(mmdbtype.Map)["time_zone"] = mmdbtype.String(e.Timezone)
		}
		if e.City != "" {
			rec["city"] = names(e.City)
		}
		if e.Country != "" {
			rec["country"] = names(e.Country)
		}
		if e.Continent != "" {
			rec["continent"] = names(e.Continent)
		}
		if e.Region != "" {
			rec["subdivisions"] = mmdbtype.Slice{names(e.Region)}
		}
		if err := tree.Insert(network, rec); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
