package mail

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
)

// Settings say how to reach the mail server and whom mail is from. The
// zero value is "not configured": the outbox fills and nothing is sent.
type Settings struct {
	Host string
	Port int
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465);
	// otherwise the connection is upgraded with STARTTLS, which is
	// required: a server that does not offer it gets no mail.
	ImplicitTLS bool
	User        string
	Password    string
	From        string
}

// Configured reports whether there is a server to send to.
func (s Settings) Configured() bool { return s.Host != "" }

// Parse reads the -smtp-url (smtp://user@host:587 for STARTTLS,
// smtps://user@host:465 for implicit TLS) and -mail-from settings; the
// password comes apart, never in the URL. An empty URL is no server.
func Parse(rawURL, from, password string) (Settings, error) {
	if rawURL == "" {
		return Settings{}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return Settings{}, fmt.Errorf("-smtp-url: %q is not a URL", rawURL)
	}
	s := Settings{Host: u.Hostname(), Password: password}
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.ImplicitTLS = 465, true
	default:
		return Settings{}, fmt.Errorf("-smtp-url: use smtp://user@host:587 (STARTTLS) or smtps://user@host:465 (implicit TLS), not %q", u.Scheme)
	}
	if s.Host == "" {
		return Settings{}, fmt.Errorf("-smtp-url: %q names no host", rawURL)
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return Settings{}, fmt.Errorf("-smtp-url: %q is not a port", p)
		}
	}
	if u.User != nil {
		if _, set := u.User.Password(); set {
			return Settings{}, fmt.Errorf("-smtp-url: leave the password out of the URL; give it in -smtp-password-file or GONOGO_SMTP_PASSWORD")
		}
		s.User = u.User.Username()
	}
	if from == "" {
		return Settings{}, fmt.Errorf("-mail-from is needed with -smtp-url: the address mail is sent from")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return Settings{}, fmt.Errorf("-mail-from: %q is not an address", from)
	}
	s.From = from
	return s, nil
}
