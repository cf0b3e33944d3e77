package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/gonogo/gonogo"
)

// CheckTarget refuses a webhook URL whose host is, or resolves to, an
// address that webhooks may not reach (see ForbiddenAddr), unless
// private targets are allowed. It runs when a webhook is registered, so the
// admin hears at once; the dialer checks again at every delivery, because
// what a name resolves to can change after it was registered.
func CheckTarget(ctx context.Context, raw string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return gonogo.FieldErrorf("url", "the URL cannot be read")
	}
	host := u.Hostname()
	// "localhost." is localhost written in full (a fully qualified name),
	// and "127.0.0.1." is how some clients write 127.0.0.1: judge them as
	// such, not by whether a resolver happens to know the dotted form.
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(name); err == nil {
		return refuse(host, ip)
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return gonogo.FieldErrorf("url", "webhooks may not be sent to %s, a loopback address; %s", host, allowHint)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := lookup(ctx, host, name)
	if err != nil || len(ips) == 0 {
		return gonogo.FieldErrorf("url", "%s could not be resolved; check the address", host)
	}
	for _, ip := range ips {
		if err := refuse(host, ip); err != nil {
			return err
		}
	}
	return nil
}

// lookup resolves host and, when it ends in a dot, the name without it
// too: the hosts file and search domains may answer one and not the other,
// and every address either gives must be one webhooks may reach.
func lookup(ctx context.Context, host, name string) ([]netip.Addr, error) {
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if strings.EqualFold(host, name) {
		return ips, err
	}
	more, err2 := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	if err != nil && err2 != nil {
		return nil, err
	}
	return append(ips, more...), nil
}

const allowHint = "start gonogo with -webhook-allow-private to allow private targets"

func refuse(host string, ip netip.Addr) error {
	if why := ForbiddenAddr(ip); why != "" {
		if host == ip.String() {
			return gonogo.FieldErrorf("url", "webhooks may not be sent there: %s; %s", why, allowHint)
		}
		return gonogo.FieldErrorf("url", "webhooks may not be sent to %s: %s; %s", host, why, allowHint)
	}
	return nil
}

// refusedError is a delivery the dialer would not make.
type refusedError struct{ why string }

func (e refusedError) Error() string { return "refused to connect: " + e.why + "; " + allowHint }

// guard is a net.Dialer Control function that runs on the address actually
// dialed, after DNS: a name that resolves to a private address at delivery
// time is refused even if it resolved elsewhere when it was registered.
func guard(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return refusedError{host + " is not an IP address"}
	}
	if why := ForbiddenAddr(ip); why != "" {
		return refusedError{why}
	}
	return nil
}
