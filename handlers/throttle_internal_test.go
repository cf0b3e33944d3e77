package handlers

import (
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// Guesses reserved at the same moment get no more checks than the limit.
func TestThrottleReservesUnderTheLock(t *testing.T) {
	th := newThrottle(time.Millisecond)
	var mu sync.Mutex
	let := 0
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, _ := th.reserve(t0, "qa@example.com", "203.0.113.7"); a != nil {
				mu.Lock()
				let++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if let != pairLimit {
		t.Fatalf("%d guesses let through, want %d", let, pairLimit)
	}
}

func TestThrottle(t *testing.T) {
	const owner, attacker, account = "198.51.100.20", "203.0.113.7", "admin@example.com"
	guess := func(th *throttle, now time.Time, addr string) *attempt {
		t.Helper()
		a, retry := th.reserve(now, account, addr)
		if a == nil && retry <= 0 {
			t.Fatalf("refused without saying when to come back")
		}
		return a
	}
	t.Run("the owner's success forgets their typos, not the attacker's guesses", func(t *testing.T) {
		th := newThrottle(time.Millisecond)
		for range 2 {
			guess(th, t0, owner)
		}
		for range pairLimit {
			guess(th, t0, attacker)
		}
		if guess(th, t0, attacker) != nil {
			t.Fatal("the attacker was let through past the limit")
		}
		a := guess(th, t0, owner)
		if a == nil || a.wait == 0 {
			t.Fatalf("the owner was refused or not slowed: %+v", a)
		}
		a.right()
		if got := th.fails[throttleKey{account: account}].count; got != pairLimit {
			t.Errorf("the account has %d failures after the owner's success, want the attacker's %d", got, pairLimit)
		}
		if th.fails[throttleKey{account: account, addr: owner}] != nil {
			t.Error("the owner's failures are still counted")
		}
		if guess(th, t0, attacker) != nil {
			t.Error("the owner's success unlocked the attacker")
		}
	})
	t.Run("an unchecked guess is taken back", func(t *testing.T) {
		th := newThrottle(time.Millisecond)
		for range pairLimit - 1 {
			guess(th, t0, attacker)
		}
		guess(th, t0, attacker).unchecked()
		if guess(th, t0, attacker) == nil {
			t.Fatal("a guess that was never checked counted as a failure")
		}
		if guess(th, t0, attacker) != nil {
			t.Fatal("let through past the limit")
		}
	})
	t.Run("the refusal ends with the window", func(t *testing.T) {
		th := newThrottle(time.Millisecond)
		for range pairLimit {
			guess(th, t0, attacker)
		}
		_, retry := th.reserve(t0.Add(time.Minute), account, attacker)
		if retry != throttleWindow-time.Minute {
			t.Errorf("retry in %v, want %v", retry, throttleWindow-time.Minute)
		}
		if guess(th, t0.Add(throttleWindow+time.Second), attacker) == nil {
			t.Error("still refused after the window")
		}
		th.sweep(t0.Add(3 * throttleWindow))
		if len(th.fails) != 0 {
			t.Errorf("%d entries left after a sweep of old failures", len(th.fails))
		}
	})
	t.Run("an address guessing at many accounts", func(t *testing.T) {
		th := newThrottle(time.Millisecond)
		for i := range addrLimit {
			if a, _ := th.reserve(t0, string(rune('a'+i))+"@example.com", attacker); a == nil {
				t.Fatalf("refused at guess %d", i+1)
			}
		}
		if a, _ := th.reserve(t0, "fresh@example.com", attacker); a != nil {
			t.Error("let through past the address limit")
		}
		if a, _ := th.reserve(t0, "fresh@example.com", owner); a == nil {
			t.Error("another address was refused")
		}
	})
}

func TestThrottleSlowdown(t *testing.T) {
	th := newThrottle(500 * time.Millisecond)
	for n, want := range map[int]time.Duration{
		0: 0, slowAfter - 1: 0, slowAfter: 500 * time.Millisecond, slowAfter + 1: time.Second,
		slowAfter + 3: 4 * time.Second, slowAfter + 4: maxDelay, 1000: maxDelay, 1 << 40: maxDelay,
	} {
		if got := th.slowdown(n); got != want {
			t.Errorf("slowdown(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	for ip, want := range map[string]string{
		"203.0.113.7":         "203.0.113.7",
		"::ffff:203.0.113.7":  "203.0.113.7",
		"2001:db8:1:2::5":     "2001:db8:1:2::/64",
		"2001:db8:1:2:aa::ff": "2001:db8:1:2::/64",
		"not an address":      "not an address",
	} {
		if got := clientAddr(ip); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", ip, got, want)
		}
	}
}

func TestHashGateTurnsAwayWhenFull(t *testing.T) {
	g := newHashGate(2)
	hold, held := make(chan struct{}), make(chan struct{})
	for range 2 {
		go g.run(func() { held <- struct{}{}; <-hold })
		<-held
	}
	if g.run(func() { t.Error("ran with every slot taken") }) {
		t.Fatal("let through with every slot taken")
	}
	close(hold)
	ran := false
	for !ran { // the holders leave their slots as they are scheduled
		g.run(func() { ran = true })
	}
	if g.hashed.Load() < 3 || g.busy.Load() < 1 {
		t.Errorf("hashed %d, busy %d", g.hashed.Load(), g.busy.Load())
	}
}
