// Package smtptest runs a real SMTP server for tests, built on
// github.com/emersion/go-smtp: STARTTLS with a certificate it makes
// itself, AUTH PLAIN required (and refused before TLS), and every
// message it accepts kept to be read back.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// User and Password are what the server takes for AUTH PLAIN.
const (
	User     = "gonogo"
	Password = "s3cret smtp password"
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running SMTP server.
type Server struct {
	Host string
	Port int
	// CA is the PEM of the certificate the server presents, which is its
	// own root: a client trusts it through Pool or this file's content.
	CA   []byte
	Pool *x509.CertPool

	srv *smtp.Server

	mu       sync.Mutex
	messages []Message
	changed  chan struct{} // closed and replaced when a message arrives
	refuse   bool
	hold     chan struct{} // while set, RCPT waits for it to close
	holding  chan struct{} // closed once a RCPT is held
	auths    int
}

// Start starts a server on a free port of 127.0.0.1, stopped when the
// test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	cert, pemBytes := selfSigned(t)
	s := &Server{CA: pemBytes, Pool: x509.NewCertPool(), changed: make(chan struct{})}
	s.Pool.AppendCertsFromPEM(pemBytes)
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.MaxMessageBytes = 10 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.Release(); s.srv.Close() })
	return s
}

// URL is the -smtp-url that reaches the server with STARTTLS.
func (s *Server) URL() string { return "smtp://" + User + "@" + s.Host + ":" + strconv.Itoa(s.Port) }

// TLSConfig trusts the server's certificate.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.Pool, MinVersion: tls.VersionTLS12}
}

// Refuse makes the server refuse (true) or take (false) every message.
func (s *Server) Refuse(on bool) {
	s.mu.Lock()
	s.refuse = on
	s.mu.Unlock()
}

// Hold makes the next RCPT wait until Release, and returns a channel
// closed once one does: a client is then in the middle of sending.
func (s *Server) Hold() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.holding = make(chan struct{}), make(chan struct{})
	return s.holding
}

// Release lets a held RCPT go on.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait returns the messages once at least n arrived, failing the test if
// they do not within a minute.
func (s *Server) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		s.mu.Lock()
		got, changed := append([]Message(nil), s.messages...), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the mail server has %d messages, want %d", len(got), n)
		}
	}
}

// WaitFor returns the first message match takes, failing the test if
// none arrives within a minute.
func (s *Server) WaitFor(t testing.TB, what string, match func(Message) bool) Message {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		s.mu.Lock()
		got, changed := append([]Message(nil), s.messages...), s.changed
		s.mu.Unlock()
		for _, m := range got {
			if match(m) {
				return m
			}
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no message %s arrived; the mail server has %d", what, len(got))
		}
	}
}

// Auths is how many clients signed in.
func (s *Server) Auths() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != User || pass != Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		ss.s.mu.Lock()
		ss.s.auths++
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	hold, holding := ss.s.hold, ss.s.holding
	ss.s.holding = nil
	ss.s.mu.Unlock()
	if hold != nil {
		if holding != nil {
			close(holding)
		}
		<-hold
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "refused by the test server"}
	}
	ss.s.messages = append(ss.s.messages, Message{From: ss.from, To: ss.to, Data: buf.Bytes()})
	close(ss.s.changed)
	ss.s.changed = make(chan struct{})
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost that is its
// own root.
func selfSigned(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "gonogo test mail server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes
}
