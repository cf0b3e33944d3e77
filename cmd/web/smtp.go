package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gonogo/gonogo/mail"
)

// smtpFlags are the mail settings: the server as a URL that names its
// user, the sender, and the password from a file or the environment,
// never from the command line, where any user of the machine reads it.
type smtpFlags struct {
	url, passwordFile, from string
}

func (f *smtpFlags) register(fs *flag.FlagSet, env func(key, def string) string) {
	fs.StringVar(&f.url, "smtp-url", env("GONOGO_SMTP_URL", ""),
		"mail server: smtp://user@host:587 (STARTTLS) or smtps://user@host:465 (implicit TLS); none keeps mail in the outbox (GONOGO_SMTP_URL)")
	fs.StringVar(&f.passwordFile, "smtp-password-file", env("GONOGO_SMTP_PASSWORD_FILE", ""),
		"file holding the mail server's password; or set GONOGO_SMTP_PASSWORD (GONOGO_SMTP_PASSWORD_FILE)")
	fs.StringVar(&f.from, "mail-from", env("GONOGO_MAIL_FROM", ""),
		"address mail is sent from, e.g. \"gonogo <gonogo@example.com>\" (GONOGO_MAIL_FROM)")
}

// settings reads the password (the file before the environment's
// envPassword) and checks the whole.
func (f *smtpFlags) settings(envPassword string) (mail.Settings, error) {
	password := envPassword
	if f.passwordFile != "" {
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return mail.Settings{}, fmt.Errorf("-smtp-password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	return mail.Parse(f.url, f.from, password)
}
