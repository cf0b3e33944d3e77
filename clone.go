package gonogo

import "slices"

// Clone methods copy a value with everything it refers to, so that a copy
// handed to one reader shares nothing another reader could change. The
// store's read cache hands out copies made with them.

// Clone copies u, its roles included.
func (u User) Clone() User {
	u.Roles = slices.Clone(u.Roles)
	u.Grants = slices.Clone(u.Grants)
	return u
}

// Clone copies v, its conditions included.
func (v Vote) Clone() Vote {
	v.Conditions = slices.Clone(v.Conditions)
	return v
}

// Clone copies c, its mentions included.
func (c Comment) Clone() Comment {
	c.Mentions = slices.Clone(c.Mentions)
	return c
}

// Clone copies f, its products included.
func (f Freeze) Clone() Freeze {
	f.Products = slices.Clone(f.Products)
	return f
}

// Clone copies g, its reasons and warnings included.
func (g Gate) Clone() Gate {
	g.Reasons = slices.Clone(g.Reasons)
	g.Warnings = slices.Clone(g.Warnings)
	return g
}

// Clone copies s with every list it holds.
func (s Snapshot) Clone() Snapshot {
	s.Items = slices.Clone(s.Items)
	s.Defects = slices.Clone(s.Defects)
	s.Scope = slices.Clone(s.Scope)
	s.Votes = CloneAll(s.Votes)
	s.Waivers = slices.Clone(s.Waivers)
	s.Staffed = slices.Clone(s.Staffed)
	s.KindPolicy.Roles = slices.Clone(s.KindPolicy.Roles)
	s.Freezes = CloneAll(s.Freezes)
	s.Exceptions = CloneAll(s.Exceptions)
	s.Comments = CloneAll(s.Comments)
	s.Stages = slices.Clone(s.Stages)
	s.Alerts = slices.Clone(s.Alerts)
	return s
}

// Clone copies r with every list it holds.
func (r Record) Clone() Record {
	r.Gate = r.Gate.Clone()
	r.Votes = CloneAll(r.Votes)
	r.History = CloneAll(r.History)
	r.Items = slices.Clone(r.Items)
	r.Defects = slices.Clone(r.Defects)
	r.Waivers = slices.Clone(r.Waivers)
	r.Comments = CloneAll(r.Comments)
	r.Exceptions = CloneAll(r.Exceptions)
	return r
}

// Clone copies d, its conditions and record included.
func (d Decision) Clone() Decision {
	d.Conditions = slices.Clone(d.Conditions)
	d.Record = d.Record.Clone()
	return d
}

// CloneAll copies a list of values that refer to others, each with Clone.
func CloneAll[T interface{ Clone() T }](xs []T) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = x.Clone()
	}
	return out
}

// Clone copies p, which refers to nothing.
func (p Product) Clone() Product { return p }
