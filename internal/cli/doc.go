// Package cli is the work behind the stance command's subcommands: reading
// articles and JSON Lines, sending them to the stance service through a
// client.Client, and writing what comes back as tables, JSON Lines, CSV or
// evaluation reports.
//
// The command (cmd/stance) parses flags and connects; the functions here
// take the connection as small interfaces, so that tests can hand them a
// fake. Everything the service returns is checked against the API's
// promises (every label known, every score present) rather than trusted, so
// that a broken server shows up as an error instead of a wrong report.
package cli
