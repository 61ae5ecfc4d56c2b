//go:build !race

package sqlite

// raceEnabled reports a -race build, where SQLite (C translated to Go)
// runs many times slower and timing checks mean nothing.
const raceEnabled = false
