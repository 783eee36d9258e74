// Package trials holds the crash and corruption trials: tests that build the
// orderwatch binary, serve the sandbox from its own process, and kill
// `orderwatch place` at random moments (see trials_test.go and README "Your
// data").
package trials
