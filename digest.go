package gonogo

// NotifyDigest is the daily digest: what waits on a person, once a day
// at the hour they chose, by email.
const NotifyDigest NotificationKind = "digest"
