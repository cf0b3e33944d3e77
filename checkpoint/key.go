// Package checkpoint keeps the proof of the audit trail's head outside the
// database: the key that signs checkpoints, in a file of its own, and the
// daily job that signs one and hands it to the webhooks subscribed to
// audit.checkpoint, so that a copy lives off the machine.
package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFileName is the key file's name beside the database when no path is
// given.
const KeyFileName = "audit-checkpoint.key"

// DefaultKeyPath is where the key lives when no path is given: beside the
// database. A key kept apart from the database (another volume, a secret
// mount) proves more; see docs/security.md.
func DefaultKeyPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), KeyFileName)
}

// LoadKey reads the Ed25519 private key at path, a PEM file of PKCS #8 as
// openssl writes it.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit checkpoint key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit checkpoint key %s: not an Ed25519 key", path)
	}
	return key, nil
}

// LoadOrCreateKey reads the key at path or, if there is no file there,
// makes one, readable by its owner only, and says it did. A key that
// cannot be read is an error, never replaced: every checkpoint signed with
// it would stop verifying.
func LoadOrCreateKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	key, err = LoadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	// O_EXCL: if another process made one meanwhile, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		key, err = LoadKey(path)
		return key, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	return key, true, nil
}
