package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestTokenCreate makes a token with the subcommand, on the database named by
// GONOGO_DB, and uses it against the server run serves from that database.
func TestTokenCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gonogo.db")
	env := func(k string) string {
		if k == "GONOGO_DB" {
			return path
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "create", "-name", "payments-deploy", "-product", "payments"}, env, &out); err != nil {
		t.Fatalf("token create: %v\n%s", err, &out)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	secret := lines[len(lines)-1]
	if len(lines) < 2 || !strings.HasPrefix(secret, gonogo.TokenPrefix) || strings.ContainsAny(secret, " \t") {
		t.Fatalf("the last line is not the token alone:\n%s", &out)
	}

	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := store.FindTokenBySecret(context.Background(), secret)
	events, _ := store.FindEvents(context.Background(), 1)
	store.Close()
	if err != nil || tok.Product != "payments" || len(events) != 1 || events[0].Action != "token.create" {
		t.Fatalf("token %+v, %v; audit %+v", tok, err, events)
	}

	// The server, on the same file, takes it; bad input to the subcommand is refused.
	addr := freeAddr(t)
	log, stop := startAt(t, addr, "-db", path)
	defer stop()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/releases", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || body["releases"] == nil {
		t.Fatalf("API with the new token: %d %v\n%s", res.StatusCode, body, log)
	}
	for _, args := range [][]string{{"token"}, {"token", "list"}, {"token", "create"}, {"token", "create", "-name", "x", "-product", "Bad Product"},
		{"token", "create", "-name", "payments-deploy"}, {"token", "create", "-name", "x", "extra"}} {
		out.Reset()
		if err := run(context.Background(), args, env, &out); err == nil {
			t.Errorf("%v: no error\n%s", args, &out)
		}
	}
}
