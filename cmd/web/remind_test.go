package main

import (
	"bytes"
	"testing"
	"time"
)

func TestRemindIntervalSetting(t *testing.T) {
	c, err := parseConfig(nil, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil || c.remindEvery != time.Minute {
		t.Fatalf("default: %v, %v", c.remindEvery, err)
	}
	env := map[string]string{"GONOGO_REMIND_INTERVAL": "30s"}
	c, err = parseConfig(nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil || c.remindEvery != 30*time.Second {
		t.Fatalf("from env: %v, %v", c.remindEvery, err)
	}
	c, err = parseConfig([]string{"-remind-interval", "5m"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil || c.remindEvery != 5*time.Minute {
		t.Fatalf("flag over env: %v, %v", c.remindEvery, err)
	}
	for _, bad := range []struct {
		args []string
		env  map[string]string
	}{
		{env: map[string]string{"GONOGO_REMIND_INTERVAL": "often"}},
		{env: map[string]string{"GONOGO_REMIND_INTERVAL": "10ms"}},
		{args: []string{"-remind-interval", "0s"}},
	} {
		if _, err := parseConfig(bad.args, func(k string) string { return bad.env[k] }, &bytes.Buffer{}); err == nil {
			t.Errorf("%v %v: no error", bad.args, bad.env)
		}
	}
}
