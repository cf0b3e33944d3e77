package webhook

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestCheckTarget(t *testing.T) {
	ctx := context.Background()
	refused := []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://api.localhost/hook", "http://[::1]/",
		"http://169.254.169.254/latest/meta-data/", "http://10.0.0.8/", "http://172.20.1.1/", "http://192.168.1.20/",
		"http://[fd12::1]/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
		// Accepted before: NAT64 forms of loopback and the metadata
		// address, 6to4, site-local, Teredo, "this network", reserved,
		// benchmarking, an IETF protocol assignment.
		"http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "http://[2002:7f00:1::]/", "http://[fec0::1]/",
		"http://[2001::1]/", "http://0.0.0.1/", "http://240.0.0.1/", "http://198.18.0.1/", "http://192.0.0.8/"}
	for _, u := range refused {
		err := CheckTarget(ctx, u, false)
		if gonogo.ErrorCode(err) != gonogo.EINVALID || gonogo.ErrorFields(err)["url"] == "" {
			t.Errorf("%s: %v, want a refusal beside the url field", u, err)
		}
		if err := CheckTarget(ctx, u, true); err != nil {
			t.Errorf("%s with private targets allowed: %v", u, err)
		}
	}
	// A trailing dot names the same host, and is refused the same way.
	for _, u := range []string{"http://localhost./hook", "http://api.localhost./hook", "http://LOCALHOST./", "http://127.0.0.1./",
		"http://169.254.169.254./latest/meta-data/"} {
		err := CheckTarget(ctx, u, false)
		if msg := gonogo.ErrorFields(err)["url"]; !strings.Contains(msg, "loopback") && !strings.Contains(msg, "link-local") {
			t.Errorf("%s: %v, want it refused for where it leads", u, err)
		}
	}
	// Public addresses pass without a lookup.
	for _, u := range []string{"https://93.184.215.14/hook", "http://[2606:4700::1111]/"} {
		if err := CheckTarget(ctx, u, false); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	// A name that does not resolve is refused with a message, not an internal error.
	if err := CheckTarget(ctx, "https://no-such-host.invalid/hook", false); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Errorf("unresolvable name: %v", err)
	}
}

// TestGuard checks the dialer's check, which sees addresses after DNS.
func TestGuard(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "169.254.169.254:80", "10.1.1.1:8080", "[64:ff9b::7f00:1]:80",
		"[64:ff9b::a9fe:a9fe]:80", "[2002:7f00:1::]:80", "[fec0::1]:80", "[2001::1]:80", "0.0.0.1:80", "240.0.0.1:80",
		"198.18.0.1:80", "192.0.0.8:80", "[fe80::1%lo]:80"} {
		var re refusedError
		if err := guard("tcp", addr, nil); !errors.As(err, &re) {
			t.Errorf("%s: %v, want a refusal", addr, err)
		}
	}
	if err := guard("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("public address: %v", err)
	}
	// Dialing through the guard refuses before any packet leaves.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: guard}
	if conn, err := d.Dial("tcp", ln.Addr().String()); err == nil {
		conn.Close()
		t.Fatal("dialed a loopback address")
	}
}
