package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonogo/gonogo/mail"
)

func TestSMTPSettingsFromFlagsFileAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(pwFile, []byte("from the file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GONOGO_SMTP_URL": "smtp://AKIA@email-smtp.eu-west-1.amazonaws.com:587",
		"GONOGO_MAIL_FROM": "gonogo@example.com", "GONOGO_SMTP_PASSWORD": "from the environment"}
	getenv := func(k string) string { return env[k] }
	c, err := parseConfig(nil, getenv, &bytes.Buffer{})
	want := mail.Settings{Host: "email-smtp.eu-west-1.amazonaws.com", Port: 587, User: "AKIA", Password: "from the environment", From: "gonogo@example.com"}
	if err != nil || c.smtp != want {
		t.Fatalf("from the environment: %+v %v", c.smtp, err)
	}
	c, err = parseConfig([]string{"-smtp-url", "smtps://me@smtp.gmail.com", "-smtp-password-file", pwFile, "-mail-from", "me@example.com"}, getenv, &bytes.Buffer{})
	want = mail.Settings{Host: "smtp.gmail.com", Port: 465, ImplicitTLS: true, User: "me", Password: "from the file", From: "me@example.com"}
	if err != nil || c.smtp != want {
		t.Fatalf("from the flags and the file: %+v %v", c.smtp, err)
	}
	// Nothing set: no mail server, and the board starts.
	if c, err = parseConfig(nil, func(string) string { return "" }, &bytes.Buffer{}); err != nil || c.smtp.Configured() {
		t.Fatalf("without settings: %+v %v", c.smtp, err)
	}
	// The password is never taken from the command line.
	if _, err := parseConfig([]string{"-smtp-url", "smtp://me:secret@host", "-mail-from", "a@example.com"}, func(string) string { return "" },
		&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "password out of the URL") {
		t.Errorf("a password in the URL: %v", err)
	}
	if _, err := parseConfig([]string{"-smtp-url", "smtp://me@host", "-smtp-password-file", filepath.Join(dir, "missing"), "-mail-from", "a@example.com"},
		func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Error("a missing password file was taken")
	}
}
