package testch

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Cluster is the name of the cluster in the servers' remote_servers, as
// Distributed tables and ON CLUSTER name it.
const Cluster = "tripline"

// Server is one running shard.
type Server struct {
	// Addr is the native protocol's host:port, on 127.0.0.1.
	Addr string
	// HTTP is the HTTP interface's host:port.
	HTTP string
	// Dir holds the server's config, data and logs.
	Dir string
}

// ClusterInfo is a running cluster: its shards in the order remote_servers
// lists them.
type ClusterInfo struct {
	Shards []Server
}

// Addrs returns the shards' native addresses.
func (c *ClusterInfo) Addrs() []string {
	out := make([]string, len(c.Shards))
	for i, s := range c.Shards {
		out[i] = s.Addr
	}
	return out
}

// Binary returns the path of clickhouse-server, or "" when it is not
// installed.
func Binary() string {
	for _, p := range []string{"/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p
	}
	return ""
}

// StartCluster starts two ClickHouse servers on 127.0.0.1 as the two shards
// of Cluster and waits until both answer. t.Cleanup stops them and removes
// their directories. It skips the test when clickhouse-server is not
// installed.
func StartCluster(t testing.TB) *ClusterInfo {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("ClickHouse server not installed (apt-get install -y clickhouse-server)")
	}
	const shards = 2
	c := &ClusterInfo{}
	ports := freePorts(t, 2*shards)
	for i := 0; i < shards; i++ {
		dir, err := os.MkdirTemp("", "tripline-ch-")
		if err != nil {
			t.Fatalf("cannot make a directory for ClickHouse: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		c.Shards = append(c.Shards, Server{
			Addr: fmt.Sprintf("127.0.0.1:%d", ports[2*i]),
			HTTP: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1]),
			Dir:  dir,
		})
	}
	// Start both, then wait for both: the servers start in parallel.
	var procs []*exec.Cmd
	for i, s := range c.Shards {
		if err := writeConfig(s, c.Shards); err != nil {
			t.Fatalf("cannot write ClickHouse config: %v", err)
		}
		cmd := exec.Command(bin, "--config-file="+filepath.Join(s.Dir, "config.xml"))
		cmd.Dir = s.Dir
		out, err := os.Create(filepath.Join(s.Dir, "stdout.log"))
		if err != nil {
			t.Fatalf("cannot create ClickHouse log: %v", err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			out.Close()
			t.Fatalf("cannot start ClickHouse shard %d: %v", i+1, err)
		}
		procs = append(procs, cmd)
		var once sync.Once
		stop := func() {
			once.Do(func() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				out.Close()
			})
		}
		t.Cleanup(stop)
	}
	for i, s := range c.Shards {
		if err := waitReady(s.HTTP, procs[i], 30*time.Second); err != nil {
			log, _ := os.ReadFile(filepath.Join(s.Dir, "server.err.log"))
			std, _ := os.ReadFile(filepath.Join(s.Dir, "stdout.log"))
			t.Fatalf("ClickHouse shard %d did not start: %v\n%s\n%s", i+1, err, tail(log), tail(std))
		}
	}
	return c
}

// waitReady polls the HTTP interface's /ping until it answers Ok.
func waitReady(addr string, cmd *exec.Cmd, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cmd.ProcessState != nil {
			return fmt.Errorf("server exited: %v", cmd.ProcessState)
		}
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = conn.SetDeadline(time.Now().Add(time.Second))
			_, _ = conn.Write([]byte("GET /ping HTTP/1.0\r\n\r\n"))
			buf := make([]byte, 512)
			n, _ := conn.Read(buf)
			conn.Close()
			if strings.Contains(string(buf[:n]), "Ok.") {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s within %v", addr, timeout)
}

// writeConfig writes a server's config.xml and users.xml: its own paths
// and ports, loopback only, UTC, small caches, and remote_servers naming
// every shard.
func writeConfig(s Server, shards []Server) error {
	_, tcpPort, _ := net.SplitHostPort(s.Addr)
	_, httpPort, _ := net.SplitHostPort(s.HTTP)
	var remote strings.Builder
	for _, sh := range shards {
		host, port, _ := net.SplitHostPort(sh.Addr)
		fmt.Fprintf(&remote, "\t\t\t<shard><replica><host>%s</host><port>%s</port></replica></shard>\n", host, port)
	}
	d := s.Dir
	config := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
	<logger>
		<level>warning</level>
		<log>%[1]s/server.log</log>
		<errorlog>%[1]s/server.err.log</errorlog>
		<size>10M</size>
		<count>1</count>
	</logger>
	<listen_host>127.0.0.1</listen_host>
	<tcp_port>%[2]s</tcp_port>
	<http_port>%[3]s</http_port>
	<path>%[1]s/data/</path>
	<tmp_path>%[1]s/tmp/</tmp_path>
	<user_files_path>%[1]s/user_files/</user_files_path>
	<format_schema_path>%[1]s/format_schemas/</format_schema_path>
	<users_config>%[1]s/users.xml</users_config>
	<default_profile>default</default_profile>
	<default_database>default</default_database>
	<timezone>UTC</timezone>
	<max_concurrent_queries>50</max_concurrent_queries>
	<mark_cache_size>268435456</mark_cache_size>
	<uncompressed_cache_size>268435456</uncompressed_cache_size>
	<mlock_executable>false</mlock_executable>
	<remote_servers>
		<%[4]s>
%[5]s		</%[4]s>
	</remote_servers>
</yandex>
`, d, tcpPort, httpPort, Cluster, remote.String())
	users := `<?xml version="1.0"?>
<yandex>
	<profiles><default></default></profiles>
	<users>
		<default>
			<password></password>
			<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
			<profile>default</profile>
			<quota>default</quota>
		</default>
	</users>
	<quotas><default></default></quotas>
</yandex>
`
	if err := os.WriteFile(filepath.Join(d, "config.xml"), []byte(config), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, "users.xml"), []byte(users), 0o644)
}

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("cannot find a free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

func tail(b []byte) string {
	const max = 4000
	if len(b) > max {
		return "..." + string(b[len(b)-max:])
	}
	return string(b)
}
