// Package live fans the store's committed changes out to the pages that
// follow them: a Broker that hands each notice to every subscriber that
// wants it, in commit order, never blocking the writer, and holds the
// streams to per-session, per-person and server-wide caps. Serving the
// streams over HTTP (server-sent events, tied to the session that opened
// them) is the handlers' job.
package live
