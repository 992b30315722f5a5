// Package docs holds the user documentation of unsproc as Markdown. Its tests keep the
// generated parts in step with the code: the config reference is rendered from the
// plugin's config spec, the JavaScript support table is checked against the
// compiler, and the sandbox's limits and examples against the vm package. Run `go test ./docs -update` to rewrite them after a change.
package docs
