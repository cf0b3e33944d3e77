package gonogo

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A checkpoint is the head of the audit trail, signed: the newest event's
// number and hash at a moment. The hash chain shows that no event before
// the head was changed or removed, but not that the newest events were
// deleted, nor that the whole chain was rewritten and hashed again by
// someone holding the database. A checkpoint kept elsewhere shows both:
// later, the trail must still hold that event with that hash, and chain
// from the first event to the newest.
//
// It is signed with an Ed25519 key kept outside the database, so a copy of
// the database cannot forge one, and the public key is in the checkpoint,
// so anyone can check the signature with any Ed25519 tool. A checkpoint
// proves nothing about events written after it.
type Checkpoint struct {
	Seq  int64  // the newest event's id; 0 for an empty trail
	Hash string // its hash; GenesisHash for an empty trail
	At   time.Time
	Key  ed25519.PublicKey
	Sig  []byte
}

// checkpointHeader is the first line of a checkpoint, naming its format.
const checkpointHeader = "gonogo audit checkpoint v1"

// MaxCheckpointLen bounds a checkpoint given to verify: one is about 300
// bytes, and anything much longer is something else.
const MaxCheckpointLen = 1000

// checkpointKeyPrefix names the kind of key in a checkpoint's key line.
const checkpointKeyPrefix = "ed25519:"

// NewCheckpoint signs the head of the trail, event seq with hash, at at.
func NewCheckpoint(seq int64, hash string, at time.Time, key ed25519.PrivateKey) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC().Truncate(time.Second), Key: key.Public().(ed25519.PublicKey)}
	c.Sig = ed25519.Sign(key, c.signed())
	return c
}

// signed is what the signature covers: every line before "sig:", each
// ending in a newline, exactly as String writes them.
func (c Checkpoint) signed() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nseq: %d\nhash: %s\nat: %s\nkey: %s\n",
		checkpointHeader, c.Seq, c.Hash, c.At.UTC().Format(time.RFC3339), KeyID(c.Key))
	return b.Bytes()
}

// String is the checkpoint as a small text file.
func (c Checkpoint) String() string {
	return string(c.signed()) + "sig: " + base64.StdEncoding.EncodeToString(c.Sig) + "\n"
}

// KeyID writes a public key as checkpoints name it: "ed25519:" and the
// key in base64.
func KeyID(pub ed25519.PublicKey) string {
	return checkpointKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParseKeyID reads a public key written by KeyID.
func ParseKeyID(s string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, checkpointKeyPrefix))
	if !strings.HasPrefix(s, checkpointKeyPrefix) || err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, Errorf(EINVALID, "a checkpoint key is written %s followed by 32 bytes in base64", checkpointKeyPrefix)
	}
	return ed25519.PublicKey(raw), nil
}

// ParseCheckpoint reads a checkpoint written by String. Line ends may be
// CRLF, as a pasted text area sends them; otherwise it must be as written:
// the header, then seq, hash, at, key and sig in that order. Problems are
// reported on the field "checkpoint".
func ParseCheckpoint(text string) (Checkpoint, error) {
	bad := func(format string, args ...any) (Checkpoint, error) {
		return Checkpoint{}, FieldErrorf("checkpoint", "this is not a gonogo checkpoint: "+format, args...)
	}
	switch {
	case strings.TrimSpace(text) == "":
		return Checkpoint{}, FieldErrorf("checkpoint", "give a checkpoint to verify")
	case len(text) > MaxCheckpointLen:
		return bad("a checkpoint is at most %d characters", MaxCheckpointLen)
	case !utf8.ValidString(text):
		return bad("it is not text")
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), "\n")
	if lines[0] != checkpointHeader {
		return bad("its first line must be %q", checkpointHeader)
	}
	names := []string{"seq", "hash", "at", "key", "sig"}
	if len(lines) != 1+len(names) {
		return bad("it must have %d lines: the header, then %s", 1+len(names), strings.Join(names, ", "))
	}
	v := map[string]string{}
	for i, name := range names {
		value, ok := strings.CutPrefix(lines[i+1], name+": ")
		if !ok {
			return bad("line %d must start with %q", i+2, name+": ")
		}
		v[name] = value
	}
	var c Checkpoint
	var err error
	if c.Seq, err = strconv.ParseInt(v["seq"], 10, 64); err != nil || c.Seq < 0 {
		return bad("seq must be an event number")
	}
	if raw, err := hex.DecodeString(v["hash"]); err != nil || len(raw) != 32 || strings.ToLower(v["hash"]) != v["hash"] {
		return bad("hash must be 64 lower-case hex digits")
	}
	c.Hash = v["hash"]
	if c.At, err = time.Parse(time.RFC3339, v["at"]); err != nil {
		return bad("at must be a time such as 2025-03-04T10:00:00Z")
	}
	if c.Key, err = ParseKeyID(v["key"]); err != nil {
		return bad("%s", ErrorMessage(err))
	}
	if c.Sig, err = base64.StdEncoding.DecodeString(v["sig"]); err != nil || len(c.Sig) != ed25519.SignatureSize {
		return bad("sig must be a signature of %d bytes in base64", ed25519.SignatureSize)
	}
	return c, nil
}

// Trail is what walking the audit trail found, as a checkpoint needs it.
type Trail struct {
	Checked int         // events that verify, from the first
	Break   *ChainBreak // where the chain first breaks; nil if it holds
	Last    int64       // the newest event's id; 0 if there is none
	SeqHash string      // the hash of the event a checkpoint names; "" if there is none
}

// Verify checks the trail against the checkpoint, signed with pub, the
// board's key: the signature must hold, the trail must still hold the
// checkpoint's event with the checkpoint's hash, and chain unbroken from
// its first event to its newest. The error says what is wrong; its message
// is for people.
func (c Checkpoint) Verify(pub ed25519.PublicKey, t Trail) error {
	switch {
	case !pub.Equal(c.Key):
		return Errorf(ECONFLICT, "the checkpoint was signed with another key (%s), not this board's (%s)", KeyID(c.Key), KeyID(pub))
	case !ed25519.Verify(pub, c.signed(), c.Sig):
		return Errorf(ECONFLICT, "signature invalid: the checkpoint was changed after it was signed")
	case t.Last < c.Seq:
		return Errorf(ECONFLICT, "events after %d were deleted: the checkpoint of %s saw the trail up to event %d, and it now ends at event %d",
			t.Last, c.At.UTC().Format(time.RFC3339), c.Seq, t.Last)
	case t.SeqHash != c.Hash:
		return Errorf(ECONFLICT, "the trail was rewritten: event %d's hash differs from the checkpoint's", c.Seq)
	case t.Break != nil:
		return Errorf(ECONFLICT, "the trail breaks at event %d: %s", t.Break.EventID, t.Break.Reason)
	}
	return nil
}

// CheckpointDue reports whether the daily checkpoint is due at now, the
// last one having been signed at last (zero if never): once each UTC day,
// at the first look after midnight, so the time of day does not drift.
func CheckpointDue(last, now time.Time) bool {
	if last.IsZero() {
		return true
	}
	y1, m1, d1 := last.UTC().Date()
	y2, m2, d2 := now.UTC().Date()
	return y1 != y2 || m1 != m2 || d1 != d2
}

// CheckpointSigned is the audit of c signed. A daily one is heard by the
// webhooks subscribed to audit.checkpoint.
func CheckpointSigned(c Checkpoint, daily bool) Audit {
	if !daily {
		return audit(ActionCheckpoint, "signed a checkpoint of the trail at event #%d", c.Seq)
	}
	a := audit(ActionDailyCheckpoint, "signed the daily checkpoint of the trail at event #%d for webhooks", c.Seq)
	a.Topics = []Topic{TopicCheckpoint}
	return a
}

// BackupTaken is the audit of a backup of size bytes holding the trail up
// to event lastEvent.
func BackupTaken(size, lastEvent int64) Audit {
	return audit(ActionBackup, "took a backup (%s, events up to #%d)", byteSize(size), lastEvent)
}

// byteSize writes n bytes for people: 512 bytes, 1.5 KB, 3.0 MB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
