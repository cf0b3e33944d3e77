package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/gonogo/gonogo/webhook"
)

func TestSign(t *testing.T) {
	body := []byte(`{"text":"hello"}`)
	m := hmac.New(sha256.New, []byte("a shared secret!"))
	m.Write(body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if got := webhook.Sign("a shared secret!", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if webhook.Sign("another secret..", body) == want {
		t.Fatal("the signature does not depend on the secret")
	}
}

func TestSignAt(t *testing.T) {
	body := []byte(`{"text":"hello"}`)
	at := time.Unix(1741082400, 999_000_000)
	m := hmac.New(sha256.New, []byte("a shared secret!"))
	m.Write([]byte("1741082400." + string(body)))
	want := "t=1741082400,v1=" + hex.EncodeToString(m.Sum(nil))
	if got := webhook.SignAt("a shared secret!", body, at); got != want {
		t.Fatalf("SignAt = %s, want %s", got, want)
	}
	if webhook.SignAt("a shared secret!", body, at.Add(time.Second)) == want {
		t.Fatal("the signature does not depend on the time")
	}
}
