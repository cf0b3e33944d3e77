package gonogo_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

var (
	qaPayments = gonogo.Grant{Role: gonogo.QALead, Product: "payments"}
	opsAll     = gonogo.Grant{Role: gonogo.Ops}
	mappings   = []gonogo.GroupMapping{
		{Group: "payments-qa", Grant: qaPayments},
		{Group: "sre", Grant: opsAll},
		{Group: "oncall", Grant: opsAll},
		{Group: "gonogo-admins", Admin: true},
	}
)

func TestSyncGroups(t *testing.T) {
	for _, tc := range []struct {
		name   string
		held   gonogo.Held
		groups []string
		audit  string // "" for none
		warn   bool
	}{
		{name: "first sign-in", groups: []string{"payments-qa", "sre", "oncall", "everyone"},
			audit: "roles from groups: +qa-lead@payments, +ops"},
		{name: "nothing changed", held: gonogo.Held{ByGroup: []gonogo.Grant{qaPayments}}, groups: []string{"payments-qa"}},
		{name: "a group goes", held: gonogo.Held{ByGroup: []gonogo.Grant{qaPayments, opsAll}}, groups: []string{"oncall"},
			audit: "roles from groups: -qa-lead@payments"},
		{name: "a role held by hand stays hand-given", held: gonogo.Held{Hand: []gonogo.Grant{qaPayments}}, groups: []string{"payments-qa"}},
		{name: "a role held by hand is never taken", held: gonogo.Held{Hand: []gonogo.Grant{opsAll}}, groups: nil},
		{name: "admin by group", groups: []string{"gonogo-admins"}, audit: "roles from groups: +admin"},
		{name: "admin by hand stays", held: gonogo.Held{Admin: true}, groups: nil},
		{name: "admin by group goes", held: gonogo.Held{Admin: true, AdminByGroup: true, OtherAdmins: 1}, groups: nil,
			audit: "roles from groups: -admin"},
		{name: "the last admin keeps it", held: gonogo.Held{Admin: true, AdminByGroup: true}, groups: []string{"sre"},
			audit: "roles from groups: +ops; kept admin, which no group gives any more: the board has no other enabled admin", warn: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := gonogo.SyncGroups(tc.held, mappings, tc.groups)
			got := ""
			if s.Audit != nil {
				got = s.Audit.Detail
				if s.Audit.Action != gonogo.ActionUserGroups {
					t.Errorf("action %q", s.Audit.Action)
				}
			}
			if !strings.HasPrefix(got, tc.audit) || (tc.audit == "" && got != "") {
				t.Errorf("audit %q, want %q", got, tc.audit)
			}
			if (s.Warning() != "") != tc.warn {
				t.Errorf("warning %q", s.Warning())
			}
			if tc.warn && s.TakeAdmin {
				t.Error("took the last admin's flag")
			}
		})
	}
}

func TestGroupMappingInput(t *testing.T) {
	for _, tc := range []struct {
		in    gonogo.GroupMappingInput
		field string // the field refused, "" for none
		gives string
	}{
		{gonogo.GroupMappingInput{Group: " payments-qa ", Role: "qa-lead", Product: "payments"}, "", "qa-lead@payments"},
		{gonogo.GroupMappingInput{Group: "sre", Role: "ops"}, "", "ops"},
		{gonogo.GroupMappingInput{Group: "admins", Role: "admin"}, "", "admin"},
		{gonogo.GroupMappingInput{Group: "", Role: "ops"}, "group", ""},
		{gonogo.GroupMappingInput{Group: "a\tb", Role: "ops"}, "group", ""},
		{gonogo.GroupMappingInput{Group: strings.Repeat("g", gonogo.MaxGroupLen+1), Role: "ops"}, "group", ""},
		{gonogo.GroupMappingInput{Group: "x", Role: "chef"}, "role", ""},
		{gonogo.GroupMappingInput{Group: "x"}, "role", ""},
		{gonogo.GroupMappingInput{Group: "x", Role: "admin", Product: "payments"}, "product", ""},
	} {
		tc.in.Normalize()
		m, err := tc.in.Mapping()
		if tc.field == "" {
			if err != nil || m.Gives() != tc.gives {
				t.Errorf("%+v: %s, %v; want %s", tc.in, m.Gives(), err, tc.gives)
			}
			continue
		}
		if gonogo.ErrorFields(err)[tc.field] == "" {
			t.Errorf("%+v: %v, want a problem with %s", tc.in, err, tc.field)
		}
	}
}

func TestGivenBy(t *testing.T) {
	g := gonogo.GivenBy([]gonogo.Grant{qaPayments, opsAll}, true, append(mappings, gonogo.GroupMapping{Group: "old", Admin: true}),
		[]string{"payments-qa", "gonogo-admins"})
	if len(g.Grants) != 2 || strings.Join(g.Grants[0].Groups, ",") != "payments-qa" || len(g.Grants[1].Groups) != 0 {
		t.Errorf("grants attributed: %+v", g.Grants)
	}
	if !g.Admin || strings.Join(g.AdminGroups, ",") != "gonogo-admins" {
		t.Errorf("admin attributed: %+v", g)
	}
}
