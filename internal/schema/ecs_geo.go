package schema

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tripline/tripline/internal/event"
)

// Geo is what a City database holds for an address, as Elasticsearch's
// geoip processor gives it with its default properties: English names,
// ISO codes, the most specific subdivision as the region. An empty string
// is a name or code the database does not hold.
type Geo struct {
	CityName, CountryName, CountryISOCode, ContinentName string
	RegionName, RegionISOCode                            string
	Lat, Lon                                             float64
	// HasLocation says whether the database gave both coordinates.
	HasLocation bool
}

// AS is what an ASN database holds for an address.
type AS struct {
	Number       int64
	Organization string
	// HasNumber says whether the database gave a number.
	HasNumber bool
}

// Enrich is what the ECS view reads from outside the record: the
// databases behind the geoip processors of Elastic's aws.cloudtrail
// pipeline. A nil function is a database not configured, and the fields
// it would give are null. Each function returns nil for an address its
// database does not hold; it must be safe for concurrent use and cheap
// to call again for the same address (cache), and what it returns is
// shared and never modified.
type Enrich struct {
	Geo func(netip.Addr) *Geo
	AS  func(netip.Addr) *AS

	// slots are the record memo slots of the lookups in each database.
	slotsOnce sync.Once
	slots     [2]int
}

// Database names the database an enriched field needs, and the flag that
// gives it.
type Database uint8

// The databases.
const (
	CityDB Database = iota + 1
	ASNDB
)

func (d Database) String() string {
	if d == ASNDB {
		return "ASN"
	}
	return "GeoIP City"
}

// Flag is the command-line flag that names the database.
func (d Database) Flag() string {
	if d == ASNDB {
		return "--asn-db"
	}
	return "--geoip-db"
}

// geoField is one field the geoip processors add: the database it reads
// and the value it takes from a record.
type geoField struct {
	db   Database
	city func(*Geo) event.Value
	as   func(*AS) event.Value
}

func geoString(f func(*Geo) string) geoField {
	return geoField{db: CityDB, city: func(g *Geo) event.Value {
		if s := f(g); s != "" {
			return event.StringValue(s)
		}
		return event.Value{}
	}}
}

// ecsGeo are the fields of CloudTrail's ECS view that the pipeline's two
// geoip processors add for source.ip (sourceIPAddress when it is an
// address): source.geo.* from the City database with the processor's
// default properties, source.as.* from the ASN database (asn and
// organization_name, renamed to number and organization.name). The
// pipeline sets no client.geo.* and no related.ip.
var ecsGeo = map[string]geoField{
	"source.geo.city_name":        geoString(func(g *Geo) string { return g.CityName }),
	"source.geo.country_name":     geoString(func(g *Geo) string { return g.CountryName }),
	"source.geo.country_iso_code": geoString(func(g *Geo) string { return g.CountryISOCode }),
	"source.geo.continent_name":   geoString(func(g *Geo) string { return g.ContinentName }),
	"source.geo.region_name":      geoString(func(g *Geo) string { return g.RegionName }),
	"source.geo.region_iso_code":  geoString(func(g *Geo) string { return g.RegionISOCode }),
	// A geo_point: ES|QL shows it as WKT, POINT (lon lat).
	"source.geo.location": {db: CityDB, city: func(g *Geo) event.Value {
		if !g.HasLocation {
			return event.Value{}
		}
		return event.StringValue("POINT (" + strconv.FormatFloat(g.Lon, 'g', -1, 64) + " " + strconv.FormatFloat(g.Lat, 'g', -1, 64) + ")")
	}},
	"source.as.number": {db: ASNDB, as: func(a *AS) event.Value {
		if !a.HasNumber {
			return event.Value{}
		}
		return event.LongValue(a.Number)
	}},
	"source.as.organization.name": {db: ASNDB, as: func(a *AS) event.Value {
		if a.Organization == "" {
			return event.Value{}
		}
		return event.StringValue(a.Organization)
	}},
}

func init() {
	// The view knows these fields with or without a database; without
	// one they are null (see ResolveWith).
	for name := range ecsGeo {
		ecsCloudTrail[name] = fn(nullGetter)
	}
}

// FieldDatabase returns the database a field of a view and log type reads
// besides the record, and false for a field that reads the record alone.
func FieldDatabase(v View, lt event.LogType, name string) (Database, bool) {
	if v != ECS || lt != event.CloudTrail {
		return 0, false
	}
	f, ok := ecsGeo[name]
	return f.db, ok
}

// Missing says which of the fields read are null for want of a database
// en does not have: a warning naming the fields and the flags that give
// the databases, or "" when nothing is missing. en may be nil.
func (en *Enrich) Missing(v View, lts []event.LogType, fields []string) string {
	need := map[Database][]string{}
	for _, name := range fields {
		for _, lt := range lts {
			db, ok := FieldDatabase(v, lt, name)
			if !ok || en.has(db) {
				continue
			}
			need[db] = append(need[db], name)
			break
		}
	}
	if len(need) == 0 {
		return ""
	}
	var names, dbs []string
	for _, db := range []Database{CityDB, ASNDB} {
		if fs := need[db]; len(fs) > 0 {
			sort.Strings(fs)
			names = append(names, fs...)
			article := "a"
			if db == ASNDB {
				article = "an"
			}
			dbs = append(dbs, fmt.Sprintf("%s %s database (%s FILE)", article, db, db.Flag()))
		}
	}
	verb := "is"
	if len(names) > 1 {
		verb = "are"
	}
	return fmt.Sprintf("%s %s null for want of %s", strings.Join(names, ", "), verb, strings.Join(dbs, " and "))
}

func (en *Enrich) has(db Database) bool {
	if en == nil {
		return false
	}
	if db == ASNDB {
		return en.AS != nil
	}
	return en.Geo != nil
}

// enrichedGetter returns the getter of a field the geoip processors add,
// reading en's databases; nil when the field is not one of them or en
// lacks its database.
func enrichedGetter(en *Enrich, name string) Getter {
	f, ok := ecsGeo[name]
	if !ok || !en.has(f.db) {
		return nil
	}
	slot := en.slot(f.db)
	if f.db == CityDB {
		lookup, pick := en.Geo, f.city
		return func(ev *event.Event) event.Value {
			if r, ok := ev.Memo.GetRef(slot); ok {
				if g, _ := r.(*Geo); g != nil {
					return pick(g)
				}
				return event.Value{}
			}
			var g *Geo
			if ip, ok := sourceAddr(ev); ok {
				g = lookup(ip)
			}
			ev.Memo.PutRef(slot, g)
			if g == nil {
				return event.Value{}
			}
			return pick(g)
		}
	}
	lookup, pick := en.AS, f.as
	return func(ev *event.Event) event.Value {
		if r, ok := ev.Memo.GetRef(slot); ok {
			if a, _ := r.(*AS); a != nil {
				return pick(a)
			}
			return event.Value{}
		}
		var a *AS
		if ip, ok := sourceAddr(ev); ok {
			a = lookup(ip)
		}
		ev.Memo.PutRef(slot, a)
		if a == nil {
			return event.Value{}
		}
		return pick(a)
	}
}

// slot returns the record memo slot of en's lookups in one database, so
// that the fields of one record look its address up once between them.
func (en *Enrich) slot(db Database) int {
	en.slotsOnce.Do(func() {
		en.slots[0] = event.MemoSlot(fmt.Sprintf("enrich %p city", en))
		en.slots[1] = event.MemoSlot(fmt.Sprintf("enrich %p asn", en))
	})
	if db == ASNDB {
		return en.slots[1]
	}
	return en.slots[0]
}

// sourceAddr is source.ip as an address: sourceIPAddress when the
// pipeline's grok finds an IP in it (a service name such as
// "s3.amazonaws.com" is none).
func sourceAddr(ev *event.Event) (netip.Addr, bool) {
	if ev.Doc == nil {
		return netip.Addr{}, false
	}
	b := ev.Doc.GetStringBytes("sourceIPAddress")
	if len(b) == 0 {
		return netip.Addr{}, false
	}
	return event.ParseAddr(ev.Strings.String(b))
}
