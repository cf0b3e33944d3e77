// Package mail sends the outbox. The store writes each message in the
// same transaction as the change it tells of (db's enqueueMail); the
// Worker claims the due ones, renders them (text and HTML from the
// views, and a calendar part when the message has one), sends them over
// SMTP and records how each attempt went, retrying with back-off.
//
// Nothing is lost to a crash: a message committed and not yet sent is
// still queued at the next start, and one the dead process had claimed
// is queued again. Each message keeps its Message-ID across attempts, so
// the one case that can repeat (killed after the server took it, before
// it was marked sent) reads as one message to its reader.
package mail
