package gonogo_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

const headHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestCheckpointRoundTrip(t *testing.T) {
	key := newKey(t)
	at := time.Date(2025, 3, 4, 10, 0, 0, 123, time.FixedZone("CET", 3600))
	c := gonogo.NewCheckpoint(318, headHash, at, key)
	text := c.String()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	want := []string{"gonogo audit checkpoint v1", "seq: 318", "hash: " + headHash, "at: 2025-03-04T09:00:00Z",
		"key: " + gonogo.KeyID(key.Public().(ed25519.PublicKey))}
	if len(lines) != 6 || strings.Join(lines[:5], "\n") != strings.Join(want, "\n") || !strings.HasPrefix(lines[5], "sig: ") {
		t.Fatalf("checkpoint:\n%s", text)
	}
	for name, in := range map[string]string{
		"as written":            text,
		"pasted, with CRLF":     strings.ReplaceAll(text, "\n", "\r\n"),
		"with blank lines trim": "\n\n" + text + "\n\n",
	} {
		got, err := gonogo.ParseCheckpoint(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != text {
			t.Fatalf("%s: read back as\n%s", name, got)
		}
	}
}

func TestParseCheckpointRefuses(t *testing.T) {
	text := gonogo.NewCheckpoint(3, headHash, time.Now(), newKey(t)).String()
	line := func(i int, s string) string {
		ls := strings.Split(text, "\n")
		ls[i] = s
		return strings.Join(ls, "\n")
	}
	for name, tc := range map[string]struct{ in, msg string }{
		"nothing":          {"  \n", "Give a checkpoint to verify"},
		"too long":         {text + strings.Repeat("x", gonogo.MaxCheckpointLen), "at most 1000 characters"},
		"not UTF-8":        {text + "\xff", "not text"},
		"another header":   {line(0, "gonogo audit checkpoint v2"), "first line"},
		"a line emptied":   {line(3, ""), `line 4 must start with "at: "`},
		"a line missing":   {strings.Replace(text, "seq: 3\n", "", 1), "6 lines"},
		"a line too many":  {text + "note: mine\n", "6 lines"},
		"lines swapped":    {line(1, "hash: "+headHash), `line 2 must start with "seq: "`},
		"negative seq":     {line(1, "seq: -1"), "seq must be"},
		"short hash":       {line(2, "hash: abc"), "hash must be"},
		"upper-case hash":  {line(2, "hash: "+strings.ToUpper(headHash)), "hash must be"},
		"a date":           {line(3, "at: 2025-03-04"), "at must be"},
		"an RSA key":       {line(4, "key: rsa:AAAA"), "ed25519:"},
		"a short key":      {line(4, "key: ed25519:AAAA"), "ed25519:"},
		"a short sig":      {line(5, "sig: AAAA"), "sig must be"},
		"NUL":              {text + "\x00", "6 lines"},
		"control in value": {line(1, "seq: 3\x1b[2J"), "seq must be"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gonogo.ParseCheckpoint(tc.in)
			msg := gonogo.ErrorFields(err)["checkpoint"]
			if gonogo.ErrorCode(err) != gonogo.EINVALID || !strings.Contains(msg, tc.msg) {
				t.Fatalf("error %v (checkpoint: %q), want one saying %q", err, msg, tc.msg)
			}
		})
	}
}

func TestCheckpointVerify(t *testing.T) {
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	c := gonogo.NewCheckpoint(10, headHash, time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC), key)
	intact := gonogo.Trail{Checked: 14, Last: 14, SeqHash: headHash}
	reread := func(edit func(string) string) gonogo.Checkpoint {
		got, err := gonogo.ParseCheckpoint(edit(c.String()))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for name, tc := range map[string]struct {
		c     gonogo.Checkpoint
		pub   ed25519.PublicKey
		trail gonogo.Trail
		want  string // "" when it verifies
	}{
		"intact, events added since": {c, pub, intact, ""},
		"intact, nothing since":      {c, pub, gonogo.Trail{Checked: 10, Last: 10, SeqHash: headHash}, ""},
		"empty trail at genesis": {gonogo.NewCheckpoint(0, gonogo.GenesisHash, time.Now(), key), pub,
			gonogo.Trail{SeqHash: gonogo.GenesisHash}, ""},
		"newest events deleted": {c, pub, gonogo.Trail{Checked: 7, Last: 7}, "Events after 7 were deleted: the checkpoint of 2025-03-04T10:00:00Z saw the trail up to event 10, and it now ends at event 7"},
		"everything deleted":    {c, pub, gonogo.Trail{}, "Events after 0 were deleted"},
		"rewritten and rehashed": {c, pub, gonogo.Trail{Checked: 14, Last: 14, SeqHash: strings.Repeat("0", 64)},
			"The trail was rewritten: event 10's hash differs from the checkpoint's"},
		"edited, not rehashed": {c, pub, gonogo.Trail{Checked: 4, Last: 14, SeqHash: headHash,
			Break: &gonogo.ChainBreak{EventID: 5, Reason: "its content does not match its hash: the event was edited"}},
			"The trail breaks at event 5: its content does not match its hash"},
		"seq changed in the file": {reread(func(s string) string { return strings.Replace(s, "seq: 10", "seq: 9", 1) }), pub, intact,
			"Signature invalid"},
		"hash changed in the file": {reread(func(s string) string { return strings.Replace(s, headHash, strings.Repeat("1", 64), 1) }), pub, intact,
			"Signature invalid"},
		"another board's key": {gonogo.NewCheckpoint(10, headHash, time.Now(), newKey(t)), pub, intact, "signed with another key"},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.c.Verify(tc.pub, tc.trail)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Verify = %v, want it to verify", err)
			case tc.want != "" && (err == nil || !strings.Contains(gonogo.ErrorMessage(err), tc.want)):
				t.Fatalf("Verify = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCheckpointDue(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		last, now string
		due       bool
	}{
		{"", "2025-03-04T10:00:00Z", true},
		{"2025-03-04T00:10:00Z", "2025-03-04T23:59:59Z", false},
		{"2025-03-04T23:59:59Z", "2025-03-05T00:00:00Z", true},
		{"2025-03-04T10:00:00Z", "2025-03-05T01:00:00+02:00", false}, // still the 4th in UTC
		{"2024-03-04T10:00:00Z", "2025-03-04T10:00:00Z", true},
	} {
		var last time.Time
		if tc.last != "" {
			last = at(tc.last)
		}
		if got := gonogo.CheckpointDue(last, at(tc.now)); got != tc.due {
			t.Errorf("CheckpointDue(%s, %s) = %t, want %t", tc.last, tc.now, got, tc.due)
		}
	}
}
