// Package sandbox is the goja fallback's room: a pool of locked-down goja runtimes
// (sandbox.go), the lockdown script that removes and freezes built-ins
// (sandbox_lockdown.go), the limits on natively running built-ins (sandbox_limits.go),
// regular expressions on a bounded backtracking engine (sandbox_regexp.go), the timer
// that interrupts evaluations over their time or memory (sandbox_watchdog.go), and the
// bounded export of results (sandbox_export.go, sandbox_json.go). Package vm is its
// facade: nothing outside vm sees goja's types.
package sandbox
