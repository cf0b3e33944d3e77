package checkpoint_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/checkpoint"
)

func TestKeyIsMadeOnceOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets", "audit.key")
	key, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatalf("first use: created %t, %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode(), err)
	}
	again, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil || created || !again.Equal(key) {
		t.Fatalf("second use: created %t, same key %t, %v", created, again.Equal(key), err)
	}
	if read, err := checkpoint.LoadKey(path); err != nil || !read.Equal(key) {
		t.Fatalf("LoadKey: %v", err)
	}
	if _, err := checkpoint.LoadKey(filepath.Join(t.TempDir(), "missing.key")); err == nil {
		t.Fatal("LoadKey made up a key for a missing file")
	}
}

// TestUnreadableKeyIsNeverReplaced: a new key would leave every checkpoint
// signed with the old one unverifiable.
func TestUnreadableKeyIsNeverReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := checkpoint.LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "not a PEM private key") {
		t.Fatalf("LoadOrCreateKey on a broken file: %v", err)
	}
	if raw, _ := os.ReadFile(path); string(raw) != "not a key\n" {
		t.Fatal("the broken key file was overwritten")
	}
}

// TestOpenSSLReadsTheKeyAndChecksTheSignature: the key file and the
// signature are standard, so a checkpoint can be checked with no gonogo at
// hand: openssl derives the public key the checkpoint names from the key
// file, and verifies the signature over the lines before "sig:".
func TestOpenSSLReadsTheKeyAndChecksTheSignature(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "audit.key")
	key, _, err := checkpoint.LoadOrCreateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	der, err := exec.Command("openssl", "pkey", "-in", keyPath, "-pubout", "-outform", "DER").Output()
	if err != nil {
		t.Fatalf("openssl pkey: %v", err)
	}
	pub := key.Public().(ed25519.PublicKey)
	if !bytes.HasSuffix(der, pub) {
		t.Fatal("openssl derives another public key from the key file")
	}
	c := gonogo.NewCheckpoint(42, strings.Repeat("ab", 32), time.Now(), key)
	text := c.String()
	signed, sigLine, _ := strings.Cut(text, "sig: ")
	parsed, err := gonogo.ParseCheckpoint(text)
	if err != nil || !strings.HasSuffix(text, sigLine) {
		t.Fatal(err)
	}
	pubPath, msgPath, sigPath := filepath.Join(dir, "pub.der"), filepath.Join(dir, "msg"), filepath.Join(dir, "sig")
	for path, data := range map[string][]byte{pubPath: der, msgPath: []byte(signed), sigPath: parsed.Sig} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	verify := func() (string, error) {
		out, err := exec.Command("openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", pubPath,
			"-rawin", "-in", msgPath, "-sigfile", sigPath).CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("openssl does not verify the signature: %v\n%s", err, out)
	}
	if err := os.WriteFile(msgPath, []byte(strings.Replace(signed, "seq: 42", "seq: 43", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(); err == nil {
		t.Fatalf("openssl verifies a changed checkpoint:\n%s", out)
	}
}
