package gonogo_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var meetNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func meetingSnap(st gonogo.State) gonogo.Snapshot {
	return gonogo.Snapshot{Release: gonogo.Release{ID: 7, Product: "payments", Version: "2.4", Title: "Cards", State: st}}
}

var meetRM = gonogo.Actor{UserID: 1, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}

func TestMeetingInputValidate(t *testing.T) {
	ok := gonogo.MeetingInput{Start: meetNow.Add(24 * time.Hour), Minutes: 30, Where: "Room 4"}
	tests := []struct {
		name   string
		change func(*gonogo.MeetingInput)
		fields []string
	}{
		{"a room", func(*gonogo.MeetingInput) {}, nil},
		{"an https link", func(in *gonogo.MeetingInput) { in.Where = "https://meet.example.com/abc-defg" }, nil},
		{"an http link", func(in *gonogo.MeetingInput) { in.Where = "http://meet.example.com/abc" }, []string{"where"}},
		{"a link without scheme", func(in *gonogo.MeetingInput) { in.Where = "www.example.com/call" }, []string{"where"}},
		{"a link with a password", func(in *gonogo.MeetingInput) { in.Where = "https://u:p@meet.example.com/x" }, []string{"where"}},
		{"a javascript link", func(in *gonogo.MeetingInput) { in.Where = "javascript://alert(1)" }, []string{"where"}},
		{"nowhere", func(in *gonogo.MeetingInput) { in.Where = "" }, []string{"where"}},
		{"two lines", func(in *gonogo.MeetingInput) { in.Where = "Room 4\nor 5" }, []string{"where"}},
		{"too long a place", func(in *gonogo.MeetingInput) { in.Where = strings.Repeat("r", gonogo.MaxMeetingWhereLen+1) }, []string{"where"}},
		{"no time", func(in *gonogo.MeetingInput) { in.Start = time.Time{} }, []string{"start"}},
		{"in the past", func(in *gonogo.MeetingInput) { in.Start = meetNow.Add(-time.Hour) }, []string{"start"}},
		{"years ahead", func(in *gonogo.MeetingInput) { in.Start = meetNow.AddDate(2, 0, 0) }, []string{"start"}},
		{"too short", func(in *gonogo.MeetingInput) { in.Minutes = 5 }, []string{"length"}},
		{"too long", func(in *gonogo.MeetingInput) { in.Minutes = 600 }, []string{"length"}},
		{"everything wrong", func(in *gonogo.MeetingInput) { *in = gonogo.MeetingInput{Where: "ftp://x"} }, []string{"start", "length", "where"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.change(&in)
			err := in.Validate(meetNow)
			fields := gonogo.ErrorFields(err)
			if len(fields) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", fields, tc.fields)
			}
			for _, f := range tc.fields {
				if fields[f] == "" {
					t.Errorf("no message for %s in %v", f, fields)
				}
			}
		})
	}
}

func TestScheduleMeeting(t *testing.T) {
	in := gonogo.MeetingInput{Start: meetNow.Add(24 * time.Hour), Minutes: 45, Where: " Room 4 "}
	res, err := gonogo.ScheduleMeeting(meetRM, meetingSnap(gonogo.Review), gonogo.Meeting{}, in, time.UTC, meetNow)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Meeting
	if m.Seq != 0 || m.Where != "Room 4" || m.Length != 45*time.Minute || res.Method != gonogo.MethodRequest || res.Audit == nil {
		t.Fatalf("first meeting %+v %+v", m, res)
	}
	if c := res.Audit.Causes; len(c) != 1 || c[0].Kind != gonogo.NotifyMeeting || len(c[0].Roles) != len(gonogo.Roles) {
		t.Fatalf("causes %+v: every required role hears of it", c)
	}
	if m.UID() != "release-7-meeting@gonogo" {
		t.Errorf("uid %q", m.UID())
	}
	same, err := gonogo.ScheduleMeeting(meetRM, meetingSnap(gonogo.Review), m, in, time.UTC, meetNow)
	if err != nil || same.Audit != nil || same.Meeting.Seq != 0 {
		t.Fatalf("scheduling it as it is changed it: %+v %v", same, err)
	}
	in.Minutes = 60
	moved, err := gonogo.ScheduleMeeting(meetRM, meetingSnap(gonogo.Review), m, in, time.UTC, meetNow)
	if err != nil || moved.Meeting.Seq != 1 || !strings.Contains(moved.Audit.Detail, "moved") {
		t.Fatalf("moved %+v %v", moved, err)
	}
	gone, err := gonogo.CancelMeeting(meetRM, meetingSnap(gonogo.Review), moved.Meeting, time.UTC, meetNow)
	if err != nil || gone.Meeting.Seq != 2 || !gone.Meeting.Cancelled || gone.Method != gonogo.MethodCancel || gone.Meeting.UID() != m.UID() {
		t.Fatalf("cancelled %+v %v", gone, err)
	}
	again, err := gonogo.ScheduleMeeting(meetRM, meetingSnap(gonogo.Review), gone.Meeting, in, time.UTC, meetNow)
	if err != nil || again.Meeting.Seq != 3 || again.Meeting.Cancelled {
		t.Fatalf("scheduled again after a cancel %+v %v", again, err)
	}
}

func TestScheduleMeetingRefusals(t *testing.T) {
	in := gonogo.MeetingInput{Start: meetNow.Add(time.Hour), Minutes: 30, Where: "Room 4"}
	po := gonogo.Actor{UserID: 2, Name: "Paul", Roles: gonogo.RoleSet{gonogo.ProductOwner}}
	tests := []struct {
		name  string
		actor gonogo.Actor
		state gonogo.State
		code  string
	}{
		{"a product owner", po, gonogo.Review, gonogo.EFORBIDDEN},
		{"after the Go", meetRM, gonogo.Go, gonogo.ECONFLICT},
		{"after a No-Go", meetRM, gonogo.NoGo, gonogo.ECONFLICT},
		{"a cancelled release", meetRM, gonogo.Cancelled, gonogo.ECONFLICT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gonogo.ScheduleMeeting(tc.actor, meetingSnap(tc.state), gonogo.Meeting{}, in, time.UTC, meetNow)
			if gonogo.ErrorCode(err) != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
		})
	}
	if _, err := gonogo.CancelMeeting(meetRM, meetingSnap(gonogo.Draft), gonogo.Meeting{}, time.UTC, meetNow); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("cancelling no meeting: %v", err)
	}
	if _, ok := gonogo.MeetingOnCancel(meetRM, meetingSnap(gonogo.Cancelled), gonogo.Meeting{}, time.UTC, meetNow); ok {
		t.Fatal("a release without a meeting called one off")
	}
	var e *gonogo.Error
	_, err := gonogo.ScheduleMeeting(meetRM, meetingSnap(gonogo.Draft), gonogo.Meeting{}, gonogo.MeetingInput{}, time.UTC, meetNow)
	if !errors.As(err, &e) || len(e.Fields) != 3 {
		t.Fatalf("every reason at once: %v", err)
	}
}
