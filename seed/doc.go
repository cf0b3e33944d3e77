// Package seed fills an empty database with a board to look at: the demo
// board of -demo (Demo), and the generated year of releases that make bench
// measures (Bench). It is a client of the store like the handlers: every
// row is written through the store's public methods and the domain's rules
// (items settled by their owners, votes cast, decisions recorded, the audit
// chain extended), each step at the moment it describes (db.At), so the
// board is one the app could have made itself.
package seed
