package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSignInSettings(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const issuer = "https://login.example.com/realms/staff"
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		// err is a part of the error; "" for none.
		err    string
		secret string
		check  func(t *testing.T, c config)
	}{
		{name: "passwords only, by default", check: func(t *testing.T, c config) {
			if c.signIn.Issuer != "" || c.signIn.NoPasswords {
				t.Errorf("default sign-in: %+v", c.signIn)
			}
		}},
		{name: "flags, secret from a file", args: []string{"-oidc-issuer", issuer, "-oidc-client-id", "gonogo",
			"-oidc-client-secret-file", secretFile, "-oidc-scopes", "groups offline_access", "-oidc-name", "Okta",
			"-password-login=false", "-break-glass-admin", "root@example.com"},
			secret: "s3cret from a file", check: func(t *testing.T, c config) {
				s := c.signIn
				if s.Issuer != issuer || s.ClientID != "gonogo" || s.GroupsClaim != "groups" || !slices.Equal(s.Scopes, []string{"groups", "offline_access"}) ||
					s.ProviderName != "Okta" || !s.NoPasswords || s.BreakGlassAdmin != "root@example.com" {
					t.Errorf("sign-in: %+v", s)
				}
			}},
		{name: "environment, secret in it", env: map[string]string{"GONOGO_OIDC_ISSUER": issuer, "GONOGO_OIDC_CLIENT_ID": "gonogo",
			"GONOGO_OIDC_CLIENT_SECRET": "s3cret from the environment", "GONOGO_OIDC_GROUPS_CLAIM": "roles", "GONOGO_PASSWORD_LOGIN": "false"},
			secret: "s3cret from the environment", check: func(t *testing.T, c config) {
				if c.signIn.GroupsClaim != "roles" || !c.signIn.NoPasswords {
					t.Errorf("sign-in: %+v", c.signIn)
				}
			}},
		{name: "http issuer on this machine", args: []string{"-oidc-issuer", "http://localhost:8081/realms/dev", "-oidc-client-id", "gonogo"},
			env: map[string]string{"GONOGO_OIDC_CLIENT_SECRET": "x"}, secret: "x"},
		{name: "issuer without client id", args: []string{"-oidc-issuer", issuer}, env: map[string]string{"GONOGO_OIDC_CLIENT_SECRET": "x"},
			err: "-oidc-issuer needs -oidc-client-id"},
		{name: "issuer without secret", args: []string{"-oidc-issuer", issuer, "-oidc-client-id", "gonogo"},
			err: "needs gonogo's client secret"},
		{name: "secret twice", args: []string{"-oidc-issuer", issuer, "-oidc-client-id", "gonogo", "-oidc-client-secret-file", secretFile},
			env: map[string]string{"GONOGO_OIDC_CLIENT_SECRET": "x"}, err: "give the client secret once"},
		{name: "missing secret file", args: []string{"-oidc-issuer", issuer, "-oidc-client-id", "gonogo", "-oidc-client-secret-file", secretFile + ".gone"},
			err: "client secret"},
		{name: "client id without issuer", args: []string{"-oidc-client-id", "gonogo"}, err: "need -oidc-issuer"},
		{name: "passwords off without a provider", args: []string{"-password-login=false"}, err: "nobody could sign in"},
		{name: "plain http issuer elsewhere", args: []string{"-oidc-issuer", "http://login.example.com", "-oidc-client-id", "gonogo"},
			env: map[string]string{"GONOGO_OIDC_CLIENT_SECRET": "x"}, err: "must be https"},
		{name: "issuer that is no URL", args: []string{"-oidc-issuer", "login.example.com", "-oidc-client-id", "gonogo"},
			env: map[string]string{"GONOGO_OIDC_CLIENT_SECRET": "x"}, err: "is not an issuer URL"},
		{name: "break-glass admin that is no email", args: []string{"-break-glass-admin", "root"}, err: "is not an email address"},
		// The secret has no flag: on the command line it would show in ps.
		{name: "secret on the command line", args: []string{"-oidc-client-secret", "x"}, err: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, &bytes.Buffer{})
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one saying %q", err, tc.err)
			case tc.err != "":
				return
			}
			if c.signIn.ClientSecret != tc.secret {
				t.Errorf("client secret %q, want %q", c.signIn.ClientSecret, tc.secret)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}
