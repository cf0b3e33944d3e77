package db

import (
	"reflect"
	"sync"
)

// MemoBytes bounds what the store's memo keeps between two commits, as
// memoSize estimates it: the gate's reads of 400 active releases polled
// round by round (some 36 KB each, counted so: twice the 200 the gate is
// measured across) fit beside the board's own, while a crawl of release
// pages with their histories no longer holds the server's memory at
// several times that (docs/performance.md). The server's resident memory
// runs at about three times what the memo holds: the collector lets the
// heap grow to twice what is live before it runs.
const MemoBytes = 20 << 20

// memoSize estimates the bytes x holds: its own and, through strings,
// slices, maps and interfaces, what it refers to. Pointers are not
// followed: what they point at (a time zone) is shared with everything
// else. A string shared by many values (a checklist template's words) is
// counted in each, so the estimate errs high.
func memoSize(x any) int {
	v := reflect.ValueOf(x)
	if !v.IsValid() {
		return 0
	}
	return int(v.Type().Size()) + referred(v)
}

// referred is the estimate of what v refers to beyond its own bytes.
func referred(v reflect.Value) int {
	t := v.Type()
	if !refers(t) {
		return 0
	}
	n := 0
	switch v.Kind() {
	case reflect.String:
		n = v.Len()
	case reflect.Slice:
		n = v.Cap() * int(t.Elem().Size())
		for i := range v.Len() {
			n += referred(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			n += referred(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			n += referred(v.Field(i))
		}
	case reflect.Map:
		per := mapEntry + int(t.Key().Size()+t.Elem().Size())
		for it := v.MapRange(); it.Next(); {
			n += per + referred(it.Key()) + referred(it.Value())
		}
	case reflect.Interface:
		if !v.IsNil() {
			n = int(v.Elem().Type().Size()) + referred(v.Elem())
		}
	}
	return n
}

// mapEntry is a map entry's cost beyond its key and value, roughly.
const mapEntry = 16

// refersMemo knows, per type, whether a value of it can refer to bytes
// memoSize counts: most fields (numbers, times) do not, and are skipped.
var refersMemo sync.Map // reflect.Type → bool

func refers(t reflect.Type) bool {
	if r, ok := refersMemo.Load(t); ok {
		return r.(bool)
	}
	r := false
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Interface:
		r = true
	case reflect.Array:
		r = refers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			r = r || refers(t.Field(i).Type)
		}
	}
	refersMemo.Store(t, r)
	return r
}
