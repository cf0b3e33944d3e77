package mail_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo/mail"
)

func TestParseSettings(t *testing.T) {
	for _, tc := range []struct {
		name, url, from string
		want            mail.Settings
		err             string
	}{
		{name: "none", want: mail.Settings{}},
		{name: "starttls", url: "smtp://AKIA123@email-smtp.eu-west-1.amazonaws.com:587", from: "gonogo@example.com",
			want: mail.Settings{Host: "email-smtp.eu-west-1.amazonaws.com", Port: 587, User: "AKIA123", Password: "pw", From: "gonogo@example.com"}},
		{name: "starttls default port", url: "smtp://relay.example.com", from: "gonogo@example.com",
			want: mail.Settings{Host: "relay.example.com", Port: 587, Password: "pw", From: "gonogo@example.com"}},
		{name: "implicit tls", url: "smtps://me%40example.com@smtp.gmail.com", from: "Release board <me@example.com>",
			want: mail.Settings{Host: "smtp.gmail.com", Port: 465, ImplicitTLS: true, User: "me@example.com", Password: "pw", From: "Release board <me@example.com>"}},
		{name: "password in the URL", url: "smtp://user:secret@host:587", from: "a@example.com", err: "leave the password out"},
		{name: "other scheme", url: "http://host", from: "a@example.com", err: "smtp://"},
		{name: "no host", url: "smtp://", from: "a@example.com", err: "no host"},
		{name: "bad port", url: "smtp://host:99999", from: "a@example.com", err: "not a port"},
		{name: "no sender", url: "smtp://host", err: "-mail-from is needed"},
		{name: "bad sender", url: "smtp://host", from: "not an address", err: "not an address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mail.Parse(tc.url, tc.from, "pw")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if tc.want == (mail.Settings{}) {
				tc.want.Password = ""
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
}
