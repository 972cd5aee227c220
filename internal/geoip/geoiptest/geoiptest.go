// Package geoiptest writes small MaxMind DB files in the GeoLite2-City
// and GeoLite2-ASN layouts, for tests of iplocation and of the ECS view's
// source.geo.* and source.as.* fields. It is imported by tests only.
package geoiptest

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/tripline/tripline/internal/geoip"
	"github.com/tripline/tripline/internal/schema"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Entry is the location of one network. Empty names and codes are left
// out of the record; Country "" and CountryISO "" write no country.
type Entry struct {
	Network                                    string // CIDR
	City, Country, Region, Continent, Timezone string
	Lat, Lon                                   float64
	// CountryISO is the country's ISO 3166-1 code; RegionISO the
	// subdivision's code within the country ("11" for Lisbon).
	CountryISO, RegionISO string
	// Subdivisions, when given, replace Region and RegionISO: the
	// subdivisions from the largest to the most specific.
	Subdivisions []Subdivision
	// NoLocation leaves the coordinates out.
	NoLocation bool
}

// Subdivision is one subdivision of a country.
type Subdivision struct{ Name, ISO string }

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
		loc := mmdbtype.Map{}
		if !e.NoLocation {
			loc["latitude"], loc["longitude"] = mmdbtype.Float64(e.Lat), mmdbtype.Float64(e.Lon)
		}
		if e.Timezone != "" {
			loc["time_zone"] = mmdbtype.String(e.Timezone)
		}
		rec := mmdbtype.Map{}
		if len(loc) > 0 {
			rec["location"] = loc
		}
		if e.City != "" {
			rec["city"] = names(e.City)
		}
		if e.Country != "" || e.CountryISO != "" {
			c := mmdbtype.Map{}
			if e.Country != "" {
				c = names(e.Country)
			}
			if e.CountryISO != "" {
				c["iso_code"] = mmdbtype.String(e.CountryISO)
			}
			rec["country"] = c
		}
		if e.Continent != "" {
			rec["continent"] = names(e.Continent)
		}
		subs := e.Subdivisions
		if subs == nil && (e.Region != "" || e.RegionISO != "") {
			subs = []Subdivision{{Name: e.Region, ISO: e.RegionISO}}
		}
		if len(subs) > 0 {
			var sl mmdbtype.Slice
			for _, sd := range subs {
				m := mmdbtype.Map{}
				if sd.Name != "" {
					m = names(sd.Name)
				}
				if sd.ISO != "" {
					m["iso_code"] = mmdbtype.String(sd.ISO)
				}
				sl = append(sl, m)
			}
			rec["subdivisions"] = sl
		}
		if err := tree.Insert(network, rec); err != nil {
			return err
		}
	}
	return writeTree(path, tree)
}

// ASNEntry is the autonomous system of one network. Number 0 writes no
// number, Org "" no organization.
type ASNEntry struct {
	Network string // CIDR
	Number  uint32
	Org     string
}

// WriteASN writes a GeoLite2-ASN-like database of the entries to path.
func WriteASN(path string, entries []ASNEntry) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 28,
		IncludeReservedNetworks: true})
	if err != nil {
		return err
	}
	for _, e := range entries {
		_, network, err := net.ParseCIDR(e.Network)
		if err != nil {
			return err
		}
		rec := mmdbtype.Map{}
		if e.Number != 0 {
			rec["autonomous_system_number"] = mmdbtype.Uint32(e.Number)
		}
		if e.Org != "" {
			rec["autonomous_system_organization"] = mmdbtype.String(e.Org)
		}
		if err := tree.Insert(network, rec); err != nil {
			return err
		}
	}
	return writeTree(path, tree)
}

func writeTree(path string, tree *mmdbwriter.Tree) error {
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

// Enrich gives the ECS view a City and an ASN database (either may be
// nil), wired as tripline's commands wire --geoip-db and --asn-db.
func Enrich(city, asn *geoip.DB) *schema.Enrich {
	en := &schema.Enrich{}
	if city != nil {
		en.Geo = func(ip netip.Addr) *schema.Geo { return (*schema.Geo)(city.City(ip)) }
	}
	if asn != nil {
		en.AS = func(ip netip.Addr) *schema.AS { return (*schema.AS)(asn.AS(ip)) }
	}
	return en
}

// OpenBoth writes a City and an ASN database of the entries into dir and
// opens them; the caller closes them.
func OpenBoth(dir string, city []Entry, asn []ASNEntry) (*geoip.DB, *geoip.DB, error) {
	cp, ap := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := Write(cp, city); err != nil {
		return nil, nil, err
	}
	if err := WriteASN(ap, asn); err != nil {
		return nil, nil, err
	}
	c, err := geoip.Open(cp)
	if err != nil {
		return nil, nil, err
	}
	a, err := geoip.Open(ap)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, a, nil
}
