package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/geoip/geoiptest"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/schema"
)

func webIdentity(at time.Time, id, ip, sa string) string {
	b, _ := json.Marshal(map[string]any{
		"eventVersion": "1.08", "eventTime": at.Format(time.RFC3339), "eventSource": "sts.amazonaws.com",
		"eventName": "AssumeRoleWithWebIdentity", "awsRegion": "eu-west-1", "sourceIPAddress": ip,
		"userAgent": "aws-sdk-go-v2/1.30.3", "eventID": id, "recipientAccountId": "123456789012",
		"userIdentity": map[string]any{"type": "WebIdentityUser", "principalId": "oidc:sub", "userName": sa,
			"identityProvider": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"},
		"requestParameters": map[string]any{"roleArn": "arn:aws:iam::123456789012:role/web", "roleSessionName": "s"},
	})
	return string(b)
}

// Elastic's "AWS AssumeRoleWithWebIdentity from Kubernetes SA and External
// ASN" (a KQL query rule on source.as.organization.name:(* and not
// (Amazon* or AMAZON*))) behaves as in a Kibana whose pipeline has an ASN
// database, and as in one without: there source.as.* is never set, so
// "source.as.organization.name:*" matches nothing and the rule is silent;
// tripline says why.
func TestCorpusRuleReadsASN(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "corpus", "elastic", "aws",
		"aws_initial_access_assume_role_with_web_identity_kubernetes_sa_from_external_asn.toml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the rule corpus is not here (%v)", err)
	}
	city, asn, err := geoiptest.OpenBoth(t.TempDir(), []geoiptest.Entry{
		{Network: "89.160.20.128/25", City: "Linköping", Country: "Sweden", CountryISO: "SE", Continent: "Europe", Lat: 58.4167, Lon: 15.6167},
	}, []geoiptest.ASNEntry{
		{Network: "89.160.0.0/17", Number: 29518, Org: "Bredband2 AB"},
		{Network: "203.0.113.0/24", Number: 16509, Org: "Amazon.com, Inc."},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer city.Close()
	defer asn.Close()

	at := time.Date(2026, 11, 21, 10, 0, 30, 0, time.UTC)
	lines := []string{
		// A workload's token used from a Swedish ISP: the alert.
		webIdentity(at, "w1", "89.160.20.156", "system:serviceaccount:payments:api"),
		// From AWS's own network: excluded by the rule.
		webIdentity(at.Add(time.Minute), "w2", "203.0.113.40", "system:serviceaccount:payments:api"),
		// From an address the ASN database does not hold: no organization.
		webIdentity(at.Add(2*time.Minute), "w3", "192.0.2.7", "system:serviceaccount:payments:api"),
		// The load balancer controller the rule excludes.
		webIdentity(at.Add(3*time.Minute), "w4", "89.160.20.156", "system:serviceaccount:kube-system:aws-load-balancer-controller"),
		// Not a service account.
		webIdentity(at.Add(4*time.Minute), "w5", "89.160.20.156", "alice"),
	}
	logs := filepath.Join(t.TempDir(), "sts.json")
	if err := os.WriteFile(logs, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const warning = "source.as.organization.name is null for want of an ASN database (--asn-db FILE)"
	for _, tc := range []struct {
		name     string
		enrich   *schema.Enrich
		alerts   []string
		warnings []string
	}{
		{"with the databases", geoiptest.Enrich(city, asn), []string{"w1"}, nil},
		{"with a City database only", geoiptest.Enrich(city, nil), nil, []string{warning}},
		{"without a database", nil, nil, []string{warning}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules, probs := rule.Load([]string{path})
			if len(probs) > 0 || len(rules) != 1 {
				t.Fatalf("load: %d rules, problems %v", len(rules), probs)
			}
			c := CompileEnv(rules[0], Env{Enrich: tc.enrich})
			if !c.Runnable() {
				t.Fatalf("does not run: %v", c.Err)
			}
			var geo []string
			for _, w := range c.Warnings {
				if strings.Contains(w, "for want of") {
					geo = append(geo, w)
				}
			}
			if !slices.Equal(geo, tc.warnings) {
				t.Errorf("warnings %q, want %q", geo, tc.warnings)
			}
			rep, err := Hunt(context.Background(), []*Compiled{c}, []string{logs}, HuntOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range rep.Alerts {
				for _, e := range a.Evidence {
					got = append(got, e.EventID)
				}
			}
			if !slices.Equal(got, tc.alerts) {
				t.Errorf("alerts on %v, want %v", got, tc.alerts)
			}
		})
	}
}

// An ES|QL query reads every field the geoip processors add, and KEEP *
// (an open row) carries them too.
func TestGeoFieldsInESQL(t *testing.T) {
	city, asn, err := geoiptest.OpenBoth(t.TempDir(), []geoiptest.Entry{
		{Network: "89.160.20.128/25", City: "Linköping", Country: "Sweden", CountryISO: "SE", Continent: "Europe",
			Region: "Östergötland County", RegionISO: "E", Lat: 58.4167, Lon: 15.6167},
	}, []geoiptest.ASNEntry{{Network: "89.160.0.0/17", Number: 29518, Org: "Bredband2 AB"}})
	if err != nil {
		t.Fatal(err)
	}
	defer city.Close()
	defer asn.Close()
	at := time.Date(2026, 11, 21, 10, 0, 30, 0, time.UTC)
	logs := filepath.Join(t.TempDir(), "sts.json")
	data := webIdentity(at, "w1", "89.160.20.156", "sa") + "\n" + webIdentity(at.Add(time.Minute), "w2", "192.0.2.7", "sa") + "\n"
	if err := os.WriteFile(logs, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	q := `from logs-aws.cloudtrail-*
| stats n = count(*) by source.as.organization.name, source.as.number, source.geo.country_iso_code, source.geo.region_iso_code, source.geo.city_name, source.geo.location
| sort source.as.number`
	r := &rule.Rule{ID: "geo", Name: "geo", Language: rule.LangESQL, Query: q, Interval: time.Hour, LookBack: time.Hour}
	c := CompileEnv(r, Env{Enrich: geoiptest.Enrich(city, asn)})
	if !c.Runnable() {
		t.Fatalf("does not run: %v", c.Err)
	}
	if len(c.Warnings) > 0 {
		t.Errorf("warnings with both databases: %q", c.Warnings)
	}
	rep, err := Hunt(context.Background(), []*Compiled{c}, []string{logs}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, a := range rep.Alerts {
		b, _ := json.Marshal(a.Group)
		rows = append(rows, string(b))
	}
	want := []string{`"source.as.number":29518`, `"source.as.organization.name":"Bredband2 AB"`, `"source.geo.city_name":"Linköping"`,
		`"source.geo.country_iso_code":"SE"`, `"source.geo.location":"POINT (15.6167 58.4167)"`, `"source.geo.region_iso_code":"SE-E"`}
	if len(rows) != 2 {
		t.Fatalf("rows:\n  %s\nwant two", strings.Join(rows, "\n  "))
	}
	for _, w := range want {
		if !strings.Contains(rows[0], w) || strings.Contains(rows[1], w) {
			t.Errorf("rows:\n  %s\nwant %s in the first only", strings.Join(rows, "\n  "), w)
		}
	}
}
