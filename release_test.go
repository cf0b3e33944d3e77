package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var t0 = time.Date(2025, 3, 10, 22, 0, 0, 0, time.UTC)

func TestReleaseInputValidate(t *testing.T) {
	valid := gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Apple Pay in checkout"}
	tests := []struct {
		name   string
		edit   func(in *gonogo.ReleaseInput)
		fields []string // nil means valid
	}{
		{"valid", func(in *gonogo.ReleaseInput) {}, nil},
		{"valid with summary and window", func(in *gonogo.ReleaseInput) {
			in.Summary = "Adds Apple Pay.\n\n\tIndented line."
			in.Window = gonogo.Window{Start: t0, End: t0.Add(2 * time.Hour)}
		}, nil},
		{"empty", func(in *gonogo.ReleaseInput) { *in = gonogo.ReleaseInput{} }, []string{"product", "version", "title"}},
		{"blank title", func(in *gonogo.ReleaseInput) { in.Title = " \t " }, []string{"title"}},

		{"product at the limit", func(in *gonogo.ReleaseInput) { in.Product = strings.Repeat("p", gonogo.MaxProductLen) }, nil},
		{"product too long", func(in *gonogo.ReleaseInput) { in.Product = strings.Repeat("p", gonogo.MaxProductLen+1) }, []string{"product"}},
		{"product with dash and digits", func(in *gonogo.ReleaseInput) { in.Product = "web-2" }, nil},
		{"product upper case", func(in *gonogo.ReleaseInput) { in.Product = "Payments" }, []string{"product"}},
		{"product starting with dash", func(in *gonogo.ReleaseInput) { in.Product = "-payments" }, []string{"product"}},
		{"product with space", func(in *gonogo.ReleaseInput) { in.Product = "pay ments" }, []string{"product"}},
		{"product with slash", func(in *gonogo.ReleaseInput) { in.Product = "pay/ments" }, []string{"product"}},
		{"product with dot", func(in *gonogo.ReleaseInput) { in.Product = "pay.ments" }, []string{"product"}},
		{"product non-ASCII", func(in *gonogo.ReleaseInput) { in.Product = "paiemënts" }, []string{"product"}},
		{"product with NUL", func(in *gonogo.ReleaseInput) { in.Product = "pay\x00" }, []string{"product"}},
		{"product invalid UTF-8", func(in *gonogo.ReleaseInput) { in.Product = "pay\xff" }, []string{"product"}},

		{"version with pre-release and build", func(in *gonogo.ReleaseInput) { in.Version = "2.4.0-rc.1+build_5" }, nil},
		{"version letters first", func(in *gonogo.ReleaseInput) { in.Version = "v2" }, nil},
		{"version too long", func(in *gonogo.ReleaseInput) { in.Version = strings.Repeat("1", gonogo.MaxVersionLen+1) }, []string{"version"}},
		{"version starting with dot", func(in *gonogo.ReleaseInput) { in.Version = ".2" }, []string{"version"}},
		{"version with slash", func(in *gonogo.ReleaseInput) { in.Version = "2.4/0" }, []string{"version"}},
		{"version with space", func(in *gonogo.ReleaseInput) { in.Version = "2.4 0" }, []string{"version"}},
		{"version with question mark", func(in *gonogo.ReleaseInput) { in.Version = "2.4?x=1" }, []string{"version"}},
		{"version with newline", func(in *gonogo.ReleaseInput) { in.Version = "2.4\n" }, []string{"version"}},
		{"version invalid UTF-8", func(in *gonogo.ReleaseInput) { in.Version = "\xc3\x28" }, []string{"version"}},
		{"version with tilde", func(in *gonogo.ReleaseInput) { in.Version = "1.0~rc.1" }, nil},
		{"version with percent", func(in *gonogo.ReleaseInput) { in.Version = "6.0%2B1" }, nil},
		{"version in other scripts", func(in *gonogo.ReleaseInput) { in.Version = "版本7-ünï" }, nil},
		{"version with a combining mark", func(in *gonogo.ReleaseInput) { in.Version = "1.0-e\u0301" }, []string{"version"}},
		{"version with a symbol", func(in *gonogo.ReleaseInput) { in.Version = "1.0→2" }, []string{"version"}},
		{"version with a hash", func(in *gonogo.ReleaseInput) { in.Version = "1.0#2" }, []string{"version"}},
		{"version starting with tilde", func(in *gonogo.ReleaseInput) { in.Version = "~1" }, []string{"version"}},
		{"version at the limit in runes", func(in *gonogo.ReleaseInput) { in.Version = strings.Repeat("é", gonogo.MaxVersionLen) }, nil},

		{"title at the limit in runes", func(in *gonogo.ReleaseInput) { in.Title = strings.Repeat("é", gonogo.MaxTitleLen) }, nil},
		{"title too long", func(in *gonogo.ReleaseInput) { in.Title = strings.Repeat("t", gonogo.MaxTitleLen+1) }, []string{"title"}},
		{"title with NUL", func(in *gonogo.ReleaseInput) { in.Title = "Apple\x00Pay" }, []string{"title"}},
		{"title with escape sequence", func(in *gonogo.ReleaseInput) { in.Title = "\x1b[2JApple Pay" }, []string{"title"}},
		{"title with DEL", func(in *gonogo.ReleaseInput) { in.Title = "Apple\x7fPay" }, []string{"title"}},
		{"title invalid UTF-8", func(in *gonogo.ReleaseInput) { in.Title = "Apple \xfe\xff" }, []string{"title"}},
		{"summary too long", func(in *gonogo.ReleaseInput) { in.Summary = strings.Repeat("s", gonogo.MaxSummaryLen+1) }, []string{"summary"}},
		{"summary with bell", func(in *gonogo.ReleaseInput) { in.Summary = "ding\a" }, []string{"summary"}},

		{"window end before start", func(in *gonogo.ReleaseInput) {
			in.Window = gonogo.Window{Start: t0, End: t0.Add(-time.Hour)}
		}, []string{"window"}},
		{"window of no length", func(in *gonogo.ReleaseInput) {
			in.Window = gonogo.Window{Start: t0, End: t0}
		}, []string{"window"}},
		{"window start only", func(in *gonogo.ReleaseInput) {
			in.Window = gonogo.Window{Start: t0}
		}, []string{"window"}},
		{"window end only", func(in *gonogo.ReleaseInput) {
			in.Window = gonogo.Window{End: t0}
		}, []string{"window"}},
		{"window of exactly 7 days", func(in *gonogo.ReleaseInput) {
			in.Window = gonogo.Window{Start: t0, End: t0.Add(7 * 24 * time.Hour)}
		}, nil},
		{"window over 7 days", func(in *gonogo.ReleaseInput) {
			in.Window = gonogo.Window{Start: t0, End: t0.Add(7*24*time.Hour + time.Second)}
		}, []string{"window"}},
		{"several problems at once", func(in *gonogo.ReleaseInput) {
			in.Product = "Pay Ments"
			in.Version = ""
			in.Window = gonogo.Window{Start: t0}
		}, []string{"product", "version", "window"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)
			err := in.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, gonogo.EINVALID)
			wantFields(t, err, tc.fields...)
		})
	}
}

func TestReleaseInputNormalize(t *testing.T) {
	in := gonogo.ReleaseInput{Product: "  Payments ", Version: " 2.4.0\n", Title: "  Apple Pay ", Summary: "\n text \n"}
	in.Normalize()
	want := gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Apple Pay", Summary: "text"}
	if in != want {
		t.Fatalf("normalized to %+v, want %+v", in, want)
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("normalized input does not validate: %v", err)
	}
}

func TestWindowContains(t *testing.T) {
	w := gonogo.Window{Start: t0, End: t0.Add(2 * time.Hour)}
	tests := []struct {
		name string
		w    gonogo.Window
		at   time.Time
		want bool
	}{
		{"before", w, t0.Add(-time.Nanosecond), false},
		{"at start", w, t0, true},
		{"inside", w, t0.Add(time.Hour), true},
		{"inside, other time zone", w, t0.Add(time.Hour).In(time.FixedZone("CET", 3600)), true},
		{"at end", w, t0.Add(2 * time.Hour), false},
		{"no window", gonogo.Window{}, t0, false},
		{"no window, zero time", gonogo.Window{}, time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.Contains(tc.at); got != tc.want {
				t.Errorf("Contains = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestParseState(t *testing.T) {
	for _, s := range gonogo.States {
		t.Run(string(s), func(t *testing.T) {
			got, err := gonogo.ParseState(string(s))
			if err != nil || got != s {
				t.Fatalf("ParseState(%q) = %q, %v", s, got, err)
			}
			if s.Label() == string(s) && s != gonogo.Go {
				t.Errorf("no label for %q", s)
			}
			wantActive := s == gonogo.Draft || s == gonogo.Review || s == gonogo.Go || s == gonogo.Deploying || s == gonogo.Verifying
			if s.Active() != wantActive {
				t.Errorf("Active() = %t, want %t", s.Active(), wantActive)
			}
		})
	}
	for _, bad := range []string{"", "Draft", "nogo", "done"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := gonogo.ParseState(bad)
			wantCode(t, err, gonogo.EINVALID)
		})
	}
	if n := len(gonogo.ActiveStates) + len(gonogo.ClosedStates); n != len(gonogo.States) {
		t.Errorf("%d active and closed states, want %d: every state is one or the other", n, len(gonogo.States))
	}
}
