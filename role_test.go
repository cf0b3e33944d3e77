package gonogo_test

import (
	"slices"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want gonogo.Role // "" means an error
	}{
		{"product-owner", gonogo.ProductOwner},
		{"engineering-lead", gonogo.EngineeringLead},
		{"qa-lead", gonogo.QALead},
		{"ops", gonogo.Ops},
		{"support-lead", gonogo.SupportLead},
		{"release-manager", gonogo.ReleaseManager},
		{"po", gonogo.ProductOwner},
		{"eng", gonogo.EngineeringLead},
		{"qa", gonogo.QALead},
		{"support", gonogo.SupportLead},
		{"rm", gonogo.ReleaseManager},
		{"  QA-Lead ", gonogo.QALead},
		{"RM", gonogo.ReleaseManager},
		{"", ""},
		{"admin", ""},
		{"qa lead", ""},
		{"release_manager", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := gonogo.ParseRole(tc.in)
			if tc.want == "" {
				wantCode(t, err, gonogo.EINVALID)
				if got != "" {
					t.Errorf("role = %q on error, want empty", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRole(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestRoleEveryRoleIsComplete(t *testing.T) {
	handles := map[string]bool{}
	for _, r := range gonogo.Roles {
		t.Run(string(r), func(t *testing.T) {
			if !r.Valid() {
				t.Error("not valid")
			}
			if r.Label() == string(r) || r.Label() == "" {
				t.Errorf("no label: %q", r.Label())
			}
			if r.Handle() == "" {
				t.Error("no handle")
			}
			if got, err := gonogo.ParseRole(r.Handle()); err != nil || got != r {
				t.Errorf("ParseRole(handle %q) = %q, %v", r.Handle(), got, err)
			}
		})
		if handles[r.Handle()] {
			t.Errorf("handle %q used twice", r.Handle())
		}
		handles[r.Handle()] = true
	}
	if gonogo.Role("admin").Valid() {
		t.Error("admin is a flag, not a role")
	}
}

func TestNewRoleSet(t *testing.T) {
	tests := []struct {
		name string
		in   []gonogo.Role
		want gonogo.RoleSet
	}{
		{"none", nil, nil},
		{"canonical order", []gonogo.Role{gonogo.ReleaseManager, gonogo.ProductOwner, gonogo.QALead},
			gonogo.RoleSet{gonogo.ProductOwner, gonogo.QALead, gonogo.ReleaseManager}},
		{"duplicates dropped", []gonogo.Role{gonogo.Ops, gonogo.Ops}, gonogo.RoleSet{gonogo.Ops}},
		{"unknown dropped", []gonogo.Role{"admin", gonogo.Ops, "wizard"}, gonogo.RoleSet{gonogo.Ops}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.NewRoleSet(tc.in...); !slices.Equal(got, tc.want) {
				t.Errorf("NewRoleSet = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRoleSetHasAny(t *testing.T) {
	s := gonogo.NewRoleSet(gonogo.QALead, gonogo.Ops)
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"has held role", s.Has(gonogo.QALead), true},
		{"has other role", s.Has(gonogo.ReleaseManager), false},
		{"any with one held", s.Any(gonogo.ReleaseManager, gonogo.Ops), true},
		{"any with none held", s.Any(gonogo.ReleaseManager, gonogo.ProductOwner), false},
		{"any of nothing", s.Any(), false},
		{"empty set has nothing", gonogo.RoleSet(nil).Has(gonogo.Ops), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %t, want %t", tc.got, tc.want)
			}
		})
	}
}
