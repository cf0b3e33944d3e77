package checkpoint_test

import (
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/checkpoint"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/webhook"
)

// delivery is one webhook delivery the receiver got.
type delivery struct {
	topic string
	body  []byte
}

// receiver is a webhook receiver on loopback; it hands over what it gets.
func receiver(t *testing.T) (string, <-chan delivery) {
	t.Helper()
	got := make(chan delivery, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Get("X-Gonogo-Topic"), body}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", got
}

func await(t *testing.T, got <-chan delivery) delivery {
	t.Helper()
	select {
	case d := <-got:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery")
	}
	return delivery{}
}

// TestDailyCheckpointReachesWebhooks drives the daily job with its own
// ticks and clock: it signs one checkpoint a day, which the dispatcher
// delivers to the webhook subscribed to audit.checkpoint, where it verifies
// against the trail with the board's public key.
func TestDailyCheckpointReachesWebhooks(t *testing.T) {
	store := db.OpenTest(t)
	var now atomic.Pointer[time.Time]
	set := func(v time.Time) { now.Store(&v) }
	set(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	store.Now = func() time.Time { return *now.Load() }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hooks := webhook.Start(store, webhook.Options{AllowPrivate: true, Logger: log,
		Backoff: []time.Duration{time.Millisecond}})
	t.Cleanup(hooks.Close)
	keeper, kept := receiver(t)
	chat, chatted := receiver(t)
	admin := gonogo.Actor{Name: "Avery"}
	for url, topics := range map[string][]gonogo.Topic{keeper: {gonogo.TopicCheckpoint}, chat: {gonogo.TopicReleased}} {
		if _, err := store.CreateWebhook(t.Context(), admin, gonogo.WebhookInput{URL: url, Secret: "a long enough secret", Topics: topics}); err != nil {
			t.Fatal(err)
		}
	}
	key, _, err := checkpoint.LoadOrCreateKey(t.TempDir() + "/audit.key")
	if err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	daily := checkpoint.StartDaily(store, key, checkpoint.Options{Ticks: ticks, Logger: log})
	t.Cleanup(daily.Close)

	// The first look, at start, finds none signed yet: one now.
	first := await(t, kept)
	c := verifyDelivery(t, store, key, first)
	if c.Seq != 2 { // the two webhooks created
		t.Errorf("the first checkpoint is of event %d, want 2", c.Seq)
	}
	// Later the same day: nothing. The next day: the next one. A send on
	// ticks returns once the job takes it, so the tick before has been done.
	set(time.Date(2025, 3, 4, 23, 0, 0, 0, time.UTC))
	ticks <- time.Time{}
	set(time.Date(2025, 3, 5, 0, 30, 0, 0, time.UTC))
	ticks <- time.Time{}
	second := verifyDelivery(t, store, key, await(t, kept))
	if second.Seq != c.Seq+1 || !second.At.Equal(time.Date(2025, 3, 5, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("the second checkpoint is of event %d at %s, want %d at the clock's time", second.Seq, second.At, c.Seq+1)
	}
	listed, err := store.FindCheckpoints(t.Context(), 10)
	if err != nil || len(listed) != 2 {
		t.Fatalf("%d checkpoints signed (%v), want one a day", len(listed), err)
	}
	select {
	case d := <-chatted:
		t.Fatalf("a webhook not subscribed got %s", d.topic)
	default:
	}
}

// verifyDelivery reads the checkpoint out of a delivery and verifies the
// trail against it.
func verifyDelivery(t *testing.T, store *db.Store, key ed25519.PrivateKey, d delivery) gonogo.Checkpoint {
	t.Helper()
	if d.topic != string(gonogo.TopicCheckpoint) {
		t.Errorf("topic %q", d.topic)
	}
	var p struct {
		Text       string `json:"text"`
		Checkpoint string `json:"checkpoint"`
	}
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatal(err)
	}
	c, err := gonogo.ParseCheckpoint(p.Checkpoint)
	if err != nil {
		t.Fatalf("the delivery's checkpoint: %v\n%s", err, d.body)
	}
	trail, err := store.Trail(t.Context(), c.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(key.Public().(ed25519.PublicKey), trail); err != nil {
		t.Fatalf("the delivered checkpoint does not verify: %v", err)
	}
	return c
}
