package schema_test

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/geoip"
	"github.com/tripline/tripline/internal/geoip/geoiptest"
	"github.com/tripline/tripline/internal/schema"
	"github.com/valyala/fastjson"
)

// geoDBs writes a City and an ASN database. 89.160.20.156 is located as
// MaxMind's test databases locate it, which Elastic's aws.cloudtrail
// pipeline tests run with (see testdata/elastic-pipeline).
func geoDBs(t *testing.T) (city, asn *geoip.DB) {
	t.Helper()
	city, asn, err := geoiptest.OpenBoth(t.TempDir(), []geoiptest.Entry{
		{Network: "89.160.20.128/25", City: "Linköping", Country: "Sweden", CountryISO: "SE", Continent: "Europe",
			Region: "Östergötland County", RegionISO: "E", Lat: 58.4167, Lon: 15.6167},
		{Network: "2001:db8:1::/48", Country: "Portugal", CountryISO: "PT", Continent: "Europe", NoLocation: true},
	}, []geoiptest.ASNEntry{
		{Network: "89.160.0.0/17", Number: 29518, Org: "Bredband2 AB"},
		{Network: "198.51.100.0/24", Number: 64501},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { city.Close(); asn.Close() })
	return city, asn
}

func trail(t *testing.T, source string) *event.Event {
	t.Helper()
	raw := `{"eventVersion":"1.08","eventTime":"2024-10-17T20:10:02Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","sourceIPAddress":"` + source + `","eventID":"e-1"}`
	doc, err := fastjson.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ev := &event.Event{LogType: event.CloudTrail, Raw: []byte(raw), Doc: doc, Memo: &event.Memo{}, Strings: &event.Interner{},
		Time: time.Date(2024, 10, 17, 20, 10, 2, 0, time.UTC)}
	ev.Memo.Next()
	return ev
}

var geoNames = []string{
	"source.geo.city_name", "source.geo.country_name", "source.geo.country_iso_code", "source.geo.continent_name",
	"source.geo.region_name", "source.geo.region_iso_code", "source.geo.location",
	"source.as.number", "source.as.organization.name",
}

// Each field the pipeline's geoip processors add, for an address both
// databases hold, one each holds part of, one neither holds, and a
// sourceIPAddress that is a service's name (no source.ip, no lookup).
func TestGeoFields(t *testing.T) {
	city, asn := geoDBs(t)
	en := geoiptest.Enrich(city, asn)
	linkoping := map[string]any{
		"source.geo.city_name":        "Linköping",
		"source.geo.country_name":     "Sweden",
		"source.geo.country_iso_code": "SE",
		"source.geo.continent_name":   "Europe",
		"source.geo.region_name":      "Östergötland County",
		"source.geo.region_iso_code":  "SE-E",
		"source.geo.location":         "POINT (15.6167 58.4167)",
		"source.as.number":            int64(29518),
		"source.as.organization.name": "Bredband2 AB",
	}
	cases := []struct {
		source string
		want   map[string]any
	}{
		{"89.160.20.156", linkoping},
		// An IPv4-mapped address is the IPv4 address.
		{"::ffff:89.160.20.156", linkoping},
		// A country-level network: no city, region or location.
		{"2001:db8:1::5", map[string]any{"source.geo.country_name": "Portugal", "source.geo.country_iso_code": "PT", "source.geo.continent_name": "Europe"}},
		// The ASN database alone holds it, with a number and no name.
		{"198.51.100.7", map[string]any{"source.as.number": int64(64501)}},
		{"192.0.2.1", nil},
		{"s3.amazonaws.com", nil},
		{"", nil},
	}
	for _, c := range cases {
		for _, name := range geoNames {
			ev := trail(t, c.source)
			g, known := schema.ResolveWith(schema.ECS, event.CloudTrail, name, en)
			if !known {
				t.Fatalf("%s is not a field of the ECS view", name)
			}
			for range 2 { // the second read from the record's memo
				got := g(ev)
				want, ok := c.want[name]
				switch {
				case !ok && !got.IsNull():
					t.Errorf("%q: %s = %v, want null", c.source, name, got)
				case ok && !sameValue(got, want):
					t.Errorf("%q: %s = %v, want %v", c.source, name, got, want)
				}
			}
		}
		// A rendered document holds the same values.
		doc := schema.DocumentWith(schema.ECS, trail(t, c.source), en)
		for _, name := range geoNames {
			want, ok := c.want[name]
			got, has := doc[name]
			if ok != has || ok && !sameValue(got, want) {
				t.Errorf("%q: document %s = %v (%v), want %v (%v)", c.source, name, got, has, want, ok)
			}
		}
	}
}

func sameValue(v event.Value, want any) bool {
	switch w := want.(type) {
	case string:
		s, ok := v.Str()
		return ok && s == w
	case int64:
		n, ok := v.Long()
		return ok && n == w
	}
	return false
}

// Without a database the fields are still the view's, and null; with one
// database the other's fields stay null.
func TestGeoFieldsWithoutDatabase(t *testing.T) {
	city, asn := geoDBs(t)
	for _, tc := range []struct {
		name string
		en   *schema.Enrich
		null map[string]bool
	}{
		{"none", nil, nil},
		{"empty", &schema.Enrich{}, nil},
		{"city only", geoiptest.Enrich(city, nil), map[string]bool{"source.as.number": true, "source.as.organization.name": true}},
		{"asn only", geoiptest.Enrich(nil, asn), map[string]bool{"source.as.number": false, "source.as.organization.name": false}},
	} {
		for _, name := range geoNames {
			g, known := schema.ResolveWith(schema.ECS, event.CloudTrail, name, tc.en)
			if !known {
				t.Errorf("%s: %s is not a field of the view", tc.name, name)
			}
			isAS := name == "source.as.number" || name == "source.as.organization.name"
			wantNull := tc.en == nil || tc.en.Geo == nil && !isAS || tc.en.AS == nil && isAS
			if got := g(trail(t, "89.160.20.156")); got.IsNull() != wantNull {
				t.Errorf("%s: %s = %v, want null %v", tc.name, name, got, wantNull)
			}
		}
	}
	// Resolve knows them too (for lint, KQL and ES|QL's column checks).
	if _, known := schema.Resolve(schema.ECS, event.CloudTrail, "source.as.organization.name"); !known {
		t.Error("Resolve does not know source.as.organization.name")
	}
	// Bedrock's invocation log has no caller address.
	if _, known := schema.ResolveWith(schema.ECS, event.BedrockInvocation, "source.geo.country_name", geoiptest.Enrich(city, asn)); known {
		t.Error("the invocation view knows source.geo.country_name")
	}
}

// The warning names the fields a rule reads that are null, and the flag
// of each missing database.
func TestGeoMissing(t *testing.T) {
	city, _ := geoDBs(t)
	ct := []event.LogType{event.CloudTrail}
	cases := []struct {
		en     *schema.Enrich
		lts    []event.LogType
		fields []string
		want   string
	}{
		{nil, ct, []string{"event.action", "source.as.organization.name", "source.geo.country_name"},
			"source.geo.country_name, source.as.organization.name are null for want of a GeoIP City database (--geoip-db FILE) and an ASN database (--asn-db FILE)"},
		{nil, ct, []string{"source.as.number"}, "source.as.number is null for want of an ASN database (--asn-db FILE)"},
		{geoiptest.Enrich(city, nil), ct, []string{"source.as.number", "source.geo.city_name"}, "source.as.number is null for want of an ASN database (--asn-db FILE)"},
		{geoiptest.Enrich(city, nil), ct, []string{"source.geo.city_name"}, ""},
		{nil, ct, []string{"source.ip", "user.name"}, ""},
		{nil, []event.LogType{event.BedrockInvocation}, []string{"source.geo.city_name"}, ""},
	}
	for _, c := range cases {
		if got := c.en.Missing(schema.ECS, c.lts, c.fields); got != c.want {
			t.Errorf("Missing(%v) =\n  %q\nwant\n  %q", c.fields, got, c.want)
		}
	}
	if got := (*schema.Enrich)(nil).Missing(schema.Raw, []event.LogType{event.CloudTrail}, []string{"source.geo.city_name"}); got != "" {
		t.Errorf("the raw view warns: %q", got)
	}
}
