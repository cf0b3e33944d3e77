package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// chain returns n events chained from the genesis hash, ids 1 to n.
func chain(t *testing.T, n int) []gonogo.Event {
	t.Helper()
	prev := gonogo.GenesisHash
	var out []gonogo.Event
	for i := 1; i <= n; i++ {
		e := gonogo.Event{ID: int64(i), At: t0.Add(time.Duration(i) * time.Minute), ActorID: 3, Actor: "Quinn",
			Action: "item.status", ReleaseID: 1, Detail: "set item done", RemoteAddr: "10.0.0.1", PrevHash: prev}
		e.Hash = e.ComputeHash(prev)
		prev = e.Hash
		out = append(out, e)
	}
	if brk := gonogo.VerifyChain(out, gonogo.GenesisHash); brk != nil {
		t.Fatalf("fresh chain does not verify: %+v", brk)
	}
	return out
}

// rehash recomputes the hashes of events from index i on, as someone who
// knows the scheme would after editing an event.
func rehash(events []gonogo.Event, from int) {
	prev := gonogo.GenesisHash
	if from > 0 {
		prev = events[from-1].Hash
	}
	for i := from; i < len(events); i++ {
		events[i].PrevHash = prev
		events[i].Hash = events[i].ComputeHash(prev)
		prev = events[i].Hash
	}
}

func TestComputeHash(t *testing.T) {
	base := chain(t, 1)[0]
	h := base.ComputeHash(gonogo.GenesisHash)
	if len(h) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", h)
	}
	if base.ComputeHash(gonogo.GenesisHash) != h {
		t.Fatal("same event, different hash")
	}
	same := base
	same.At = base.At.In(time.FixedZone("CET", 3600))
	same.PrevHash, same.Hash = "ignored", "ignored"
	if same.ComputeHash(gonogo.GenesisHash) != h {
		t.Error("the hash depends on the time zone or on the stored hashes")
	}

	tests := []struct {
		name string
		edit func(e *gonogo.Event)
	}{
		{"id", func(e *gonogo.Event) { e.ID++ }},
		{"time", func(e *gonogo.Event) { e.At = e.At.Add(time.Millisecond) }},
		{"actor id", func(e *gonogo.Event) { e.ActorID = 4 }},
		{"actor", func(e *gonogo.Event) { e.Actor = "Quinn " }},
		{"action", func(e *gonogo.Event) { e.Action = "item.add" }},
		{"release", func(e *gonogo.Event) { e.ReleaseID = 2 }},
		{"detail", func(e *gonogo.Event) { e.Detail = "set item failed" }},
		{"remote address", func(e *gonogo.Event) { e.RemoteAddr = "10.0.0.2" }},
		{"field boundary", func(e *gonogo.Event) { e.Actor, e.Action = "Quinnitem", ".status" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			tc.edit(&e)
			if e.ComputeHash(gonogo.GenesisHash) == h {
				t.Errorf("changing the %s keeps the hash", tc.name)
			}
		})
	}
	t.Run("previous hash", func(t *testing.T) {
		if base.ComputeHash(strings.Repeat("1", 64)) == h {
			t.Error("the hash does not depend on the previous one")
		}
	})
}

func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name       string
		tamper     func(es []gonogo.Event) []gonogo.Event
		wantID     int64 // 0 means the chain verifies
		wantReason string
	}{
		{"valid", func(es []gonogo.Event) []gonogo.Event { return es }, 0, ""},
		{"empty", func(es []gonogo.Event) []gonogo.Event { return nil }, 0, ""},
		{"edited event", func(es []gonogo.Event) []gonogo.Event {
			es[2].Detail = "set item n/a"
			return es
		}, 3, "edited"},
		{"edited time", func(es []gonogo.Event) []gonogo.Event {
			es[1].At = es[1].At.Add(-time.Hour)
			return es
		}, 2, "edited"},
		{"edited and rehashed", func(es []gonogo.Event) []gonogo.Event {
			es[2].Detail = "set item n/a"
			es[2].Hash = es[2].ComputeHash(es[2].PrevHash)
			return es
		}, 4, "removed or changed"},
		{"removed event", func(es []gonogo.Event) []gonogo.Event {
			return append(es[:2:2], es[3:]...)
		}, 4, "removed or changed"},
		{"removed first event", func(es []gonogo.Event) []gonogo.Event { return es[1:] }, 2, "removed or changed"},
		{"reordered", func(es []gonogo.Event) []gonogo.Event {
			es[1], es[2] = es[2], es[1]
			return es
		}, 3, "removed or changed"},
		{"removed and the rest rehashed", func(es []gonogo.Event) []gonogo.Event {
			es = append(es[:2:2], es[3:]...)
			rehash(es, 2)
			return es
		}, 4, "ids jump"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := tc.tamper(chain(t, 5))
			brk := gonogo.VerifyChain(es, gonogo.GenesisHash)
			if tc.wantID == 0 {
				if brk != nil {
					t.Fatalf("VerifyChain = %+v, want nil", brk)
				}
				return
			}
			if brk == nil {
				t.Fatal("VerifyChain = nil, want a break")
			}
			if brk.EventID != tc.wantID || !strings.Contains(brk.Reason, tc.wantReason) {
				t.Errorf("break at %d (%s), want %d (%s)", brk.EventID, brk.Reason, tc.wantID, tc.wantReason)
			}
		})
	}
	t.Run("continues from a given hash", func(t *testing.T) {
		es := chain(t, 5)
		if brk := gonogo.VerifyChain(es[3:], es[2].Hash); brk != nil {
			t.Fatalf("tail of a valid chain does not verify from its predecessor: %+v", brk)
		}
		if brk := gonogo.VerifyChain(es[3:], gonogo.GenesisHash); brk == nil || brk.EventID != 4 {
			t.Fatalf("tail verified from the genesis hash: %+v", brk)
		}
	})
}
