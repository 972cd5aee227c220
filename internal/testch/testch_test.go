package testch

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStartCluster checks that both shards answer, and that a query over
// the cluster reaches both of them.
func TestStartCluster(t *testing.T) {
	c := StartCluster(t)
	if len(c.Shards) != 2 {
		t.Fatalf("%d shards, want 2", len(c.Shards))
	}
	if c.Shards[0].Addr == c.Shards[1].Addr {
		t.Fatalf("both shards on %s", c.Shards[0].Addr)
	}
	got := query(t, c.Shards[0].HTTP, "SELECT count() FROM remote('"+strings.Join(c.Addrs(), ",")+"', system.one)")
	if got != "2" {
		t.Errorf("rows over both shards %q, want 2", got)
	}
	got = query(t, c.Shards[1].HTTP, "SELECT count() FROM system.clusters WHERE cluster = '"+Cluster+"'")
	if got != "2" {
		t.Errorf("cluster %s has %q shards, want 2", Cluster, got)
	}
}

func query(t *testing.T, addr, q string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %s", q, b)
	}
	return strings.TrimSpace(string(b))
}
