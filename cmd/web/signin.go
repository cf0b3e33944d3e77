package main

import (
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"

	"github.com/gonogo/gonogo/handlers"
)

// signInFlags are the flags of how people sign in: through an OpenID
// provider, with passwords, or both.
type signInFlags struct {
	issuer, clientID, secretFile, groupsClaim, scopes, name string
	passwordLogin                                           bool
	breakGlass                                              string
}

func (s *signInFlags) register(fs *flag.FlagSet, env func(key, def string) string) {
	fs.StringVar(&s.issuer, "oidc-issuer", env("GONOGO_OIDC_ISSUER", ""),
		"issuer URL of the company's OpenID provider; sign-in through it is off without one (GONOGO_OIDC_ISSUER)")
	fs.StringVar(&s.clientID, "oidc-client-id", env("GONOGO_OIDC_CLIENT_ID", ""), "gonogo's client id at the provider (GONOGO_OIDC_CLIENT_ID)")
	fs.StringVar(&s.secretFile, "oidc-client-secret-file", env("GONOGO_OIDC_CLIENT_SECRET_FILE", ""),
		"file holding gonogo's client secret at the provider; or give the secret itself in GONOGO_OIDC_CLIENT_SECRET, never on the command line (GONOGO_OIDC_CLIENT_SECRET_FILE)")
	fs.StringVar(&s.groupsClaim, "oidc-groups-claim", env("GONOGO_OIDC_GROUPS_CLAIM", "groups"),
		"the ID token's claim that lists a person's groups (GONOGO_OIDC_GROUPS_CLAIM)")
	fs.StringVar(&s.scopes, "oidc-scopes", env("GONOGO_OIDC_SCOPES", ""),
		"scopes to ask for beside openid, email and profile, space-separated, e.g. groups for Okta (GONOGO_OIDC_SCOPES)")
	fs.StringVar(&s.name, "oidc-name", env("GONOGO_OIDC_NAME", ""),
		`the provider's name on the sign-in button, e.g. Okta; default "your company account" (GONOGO_OIDC_NAME)`)
	fs.BoolVar(&s.passwordLogin, "password-login", env("GONOGO_PASSWORD_LOGIN", "true") != "false" && env("GONOGO_PASSWORD_LOGIN", "true") != "0",
		"let people sign in with a password; false leaves the provider as the one way in, but for -break-glass-admin (GONOGO_PASSWORD_LOGIN)")
	fs.StringVar(&s.breakGlass, "break-glass-admin", env("GONOGO_BREAK_GLASS_ADMIN", ""),
		"email of the admin account that may still sign in with a password, at /login?local=1, when -password-login=false (GONOGO_BREAK_GLASS_ADMIN)")
}

// config checks the flags together and reads the client secret. secret is
// GONOGO_OIDC_CLIENT_SECRET, used when no file is named.
func (s signInFlags) config(secret string) (handlers.SignIn, error) {
	out := handlers.SignIn{Issuer: s.issuer, ClientID: s.clientID, GroupsClaim: s.groupsClaim, ProviderName: s.name,
		Scopes: strings.Fields(s.scopes), NoPasswords: !s.passwordLogin, BreakGlassAdmin: s.breakGlass}
	if s.breakGlass != "" {
		if a, err := mail.ParseAddress(s.breakGlass); err != nil || a.Address != s.breakGlass {
			return out, fmt.Errorf("-break-glass-admin %q is not an email address", s.breakGlass)
		}
	}
	if s.issuer == "" {
		switch {
		case s.clientID != "" || s.secretFile != "" || secret != "" || s.scopes != "" || s.name != "":
			return out, fmt.Errorf("the OpenID Connect settings need -oidc-issuer (GONOGO_OIDC_ISSUER) too")
		case !s.passwordLogin:
			return out, fmt.Errorf("-password-login=false needs -oidc-issuer: without passwords or a provider nobody could sign in")
		}
		return out, nil
	}
	if err := checkIssuer(s.issuer); err != nil {
		return out, err
	}
	if s.clientID == "" {
		return out, fmt.Errorf("-oidc-issuer needs -oidc-client-id (GONOGO_OIDC_CLIENT_ID): the client id gonogo was given at the provider")
	}
	if s.groupsClaim == "" {
		return out, fmt.Errorf("-oidc-groups-claim must not be empty")
	}
	var err error
	out.ClientSecret, err = readSecret(s.secretFile, secret)
	return out, err
}

// checkIssuer wants an https issuer URL; plain http only on this machine,
// for a provider run beside gonogo to try it out.
func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("-oidc-issuer %q is not an issuer URL such as https://login.example.com/realms/staff", issuer)
	}
	host := u.Hostname()
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil {
		loopback = ip.IsLoopback()
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return fmt.Errorf("-oidc-issuer %q must be https (plain http only on this machine)", issuer)
	}
	return nil
}

// readSecret reads the client secret from file, or takes the one the
// environment gave. A secret on the command line would show in ps and in
// shell history, so there is no flag for it.
func readSecret(file, env string) (string, error) {
	switch {
	case file != "" && env != "":
		return "", fmt.Errorf("give the client secret once: -oidc-client-secret-file or GONOGO_OIDC_CLIENT_SECRET, not both")
	case file == "" && env == "":
		return "", fmt.Errorf("-oidc-issuer needs gonogo's client secret: -oidc-client-secret-file FILE or GONOGO_OIDC_CLIENT_SECRET")
	case file == "":
		return env, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("client secret: %w", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("client secret file %s is empty", file)
	}
	return secret, nil
}
