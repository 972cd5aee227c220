package ruleset

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/geoip/geoiptest"
)

func writeDBs(t *testing.T) (city, asn string) {
	t.Helper()
	dir := t.TempDir()
	city, asn = filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := geoiptest.Write(city, []geoiptest.Entry{{Network: "89.160.20.128/25", City: "Linköping", Country: "Sweden", CountryISO: "SE"}}); err != nil {
		t.Fatal(err)
	}
	if err := geoiptest.WriteASN(asn, []geoiptest.ASNEntry{{Network: "89.160.0.0/17", Number: 29518, Org: "Bredband2 AB"}}); err != nil {
		t.Fatal(err)
	}
	return city, asn
}

// One City database serves iplocation and source.geo.*, whichever flag
// names it; databases given to the wrong flag are refused.
func TestResourcesDatabases(t *testing.T) {
	city, asn := writeDBs(t)
	ip := netip.MustParseAddr("89.160.20.156")
	for _, dbs := range []Databases{{GeoIP: city}, {City: city}, {GeoIP: city, City: city, ASN: asn}} {
		env, err := Resources(nil, dbs)
		if err != nil {
			t.Fatalf("%+v: %v", dbs, err)
		}
		if env.GeoIP == nil || env.Enrich == nil || env.Enrich.Geo == nil {
			t.Fatalf("%+v: iplocation %v, source.geo %v", dbs, env.GeoIP != nil, env.Enrich)
		}
		if l, ok := env.GeoIP(ip, ""); !ok || l.City != "Linköping" {
			t.Errorf("%+v: iplocation gives %+v", dbs, l)
		}
		if g := env.Enrich.Geo(ip); g == nil || g.CountryISOCode != "SE" {
			t.Errorf("%+v: source.geo gives %+v", dbs, g)
		}
		if (env.Enrich.AS != nil) != (dbs.ASN != "") {
			t.Errorf("%+v: source.as database %v", dbs, env.Enrich.AS != nil)
		}
	}
	env, err := Resources(nil, Databases{ASN: asn})
	if err != nil || env.GeoIP != nil || env.Enrich.Geo != nil || env.Enrich.AS(ip).Organization != "Bredband2 AB" {
		t.Errorf("ASN only: %v, %+v", err, env)
	}
	for _, dbs := range []Databases{{City: asn}, {ASN: city}, {ASN: filepath.Join(t.TempDir(), "none.mmdb")}} {
		if _, err := Resources(nil, dbs); err == nil {
			t.Errorf("%+v: no error", dbs)
		}
	}
}

// A rule that reads source.as.* without an ASN database loads, runs, and
// says which of its fields are null and which flag fills them.
func TestMissingDatabaseWarning(t *testing.T) {
	dir := t.TempDir()
	r := `id: 11111111-aaaa-4bbb-8ccc-0000000000a5
name: Unusual network
language: esql
type: esql
query: |-
  from logs-aws.cloudtrail-* | where source.as.organization.name != "Amazon.com, Inc." | keep source.geo.country_name, source.as.organization.name
schedule: {interval: 10m, lookback: 1h}
severity: low
risk_score: 21
`
	if err := os.WriteFile(filepath.Join(dir, "asn.yml"), []byte(r), 0o644); err != nil {
		t.Fatal(err)
	}
	city, asn := writeDBs(t)
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Paths: []string{dir}}, "source.geo.country_name, source.as.organization.name are null for want of a GeoIP City database (--geoip-db FILE) and an ASN database (--asn-db FILE)"},
		{Options{Paths: []string{dir}, GeoIP: city}, "source.as.organization.name is null for want of an ASN database (--asn-db FILE)"},
		{Options{Paths: []string{dir}, GeoIPDB: city, ASNDB: asn}, ""},
	} {
		set, err := Load(tc.o)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		set.Report(&out)
		c := set.Compiled[0]
		if !c.Runnable() {
			t.Fatalf("does not run: %v", c.Err)
		}
		if tc.want == "" {
			if out.Len() > 0 {
				t.Errorf("with both databases: %s", out.String())
			}
			continue
		}
		if strings.Count(out.String(), tc.want) != 1 || len(c.Warnings) != 1 {
			t.Errorf("report:\n%s\nwarnings %q\nwant once: %s", out.String(), c.Warnings, tc.want)
		}
	}
}
