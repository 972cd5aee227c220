package geoip

import (
	"net/netip"
	"strings"
)

// City is what a City or Country database gives an address through
// Elasticsearch's geoip processor with its default properties: English
// names, ISO codes, the most specific subdivision as the region, and the
// coordinates. A name or code the database does not hold is empty.
type City struct {
	CityName, CountryName, CountryISOCode, ContinentName string
	RegionName, RegionISOCode                            string
	Lat, Lon                                             float64
	// HasLocation says whether the database gave both coordinates.
	HasLocation bool
}

// AS is what an ASN database gives an address through Elasticsearch's
// geoip processor (properties asn and organization_name).
type AS struct {
	Number       int64
	Organization string
	// HasNumber says whether the database gave a number.
	HasNumber bool
}

type cityRecord struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

type asRecord struct {
	Number       *int64 `maxminddb:"autonomous_system_number"`
	Organization string `maxminddb:"autonomous_system_organization"`
}

// Type is the database's type as its metadata names it
// ("GeoLite2-City", "GeoLite2-ASN", ...).
func (d *DB) Type() string { return d.r.Metadata.DatabaseType }

// IsASN reports whether the database is of an ASN-bearing type (one
// whose type ends in -ASN or -ISP, as Elasticsearch tells them apart).
func (d *DB) IsASN() bool {
	t := d.Type()
	return strings.HasSuffix(t, "-ASN") || strings.HasSuffix(t, "-ISP")
}

// City returns what the database holds for an address as Elasticsearch's
// geoip processor reads a City database, or nil when it holds nothing for
// it. A Country database gives the continent and country only, as it does
// in Elasticsearch. Results are cached per address; the City returned is
// shared and must not be modified.
func (d *DB) City(ip netip.Addr) *City {
	if !ip.IsValid() {
		return nil
	}
	ip = ip.Unmap()
	if c, ok := d.cities.get(ip); ok {
		return c
	}
	c := d.lookupCity(ip)
	d.cities.put(ip, c)
	return c
}

func (d *DB) lookupCity(ip netip.Addr) *City {
	res := d.r.Lookup(ip)
	if !res.Found() {
		return nil
	}
	var rec cityRecord
	if err := res.Decode(&rec); err != nil {
		return nil
	}
	c := &City{
		CountryName:    rec.Country.Names["en"],
		CountryISOCode: rec.Country.ISOCode,
		ContinentName:  rec.Continent.Names["en"],
	}
	if strings.HasSuffix(d.Type(), "-Country") {
		return c
	}
	c.CityName = rec.City.Names["en"]
	if n := len(rec.Subdivisions); n > 0 {
		// The most specific subdivision, as MaxMind's readers pick it.
		sub := rec.Subdivisions[n-1]
		c.RegionName = sub.Names["en"]
		if sub.ISOCode != "" && c.CountryISOCode != "" {
			c.RegionISOCode = c.CountryISOCode + "-" + sub.ISOCode
		}
	}
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		c.Lat, c.Lon, c.HasLocation = *rec.Location.Latitude, *rec.Location.Longitude, true
	}
	return c
}

// AS returns what an ASN database holds for an address, or nil when it
// holds nothing for it. Results are cached per address; the AS returned
// is shared and must not be modified.
func (d *DB) AS(ip netip.Addr) *AS {
	if !ip.IsValid() {
		return nil
	}
	ip = ip.Unmap()
	if a, ok := d.ases.get(ip); ok {
		return a
	}
	var a *AS
	if res := d.r.Lookup(ip); res.Found() {
		var rec asRecord
		if err := res.Decode(&rec); err == nil && (rec.Number != nil || rec.Organization != "") {
			a = &AS{Organization: rec.Organization}
			if rec.Number != nil {
				a.Number, a.HasNumber = *rec.Number, true
			}
		}
	}
	d.ases.put(ip, a)
	return a
}
