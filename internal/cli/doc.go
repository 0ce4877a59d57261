// Package cli is the stance command: Run parses its arguments, starts the
// service in this process or connects to running servers, and runs the
// subcommand; cmd/stance only gives it a process.
//
// The work behind the subcommands reads articles and JSON Lines, sends
// them to the stance service through a client.Client, and writes what
// comes back as tables, JSON Lines, CSV or evaluation reports. Those
// functions take the connection as small interfaces, so that tests can
// hand them a fake. Everything the service returns is checked against the
// API's promises (every label known, every score present) rather than
// trusted, so that a broken server shows up as an error instead of a wrong
// report.
package cli
