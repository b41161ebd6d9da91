// Package migrations embeds the versioned SQL schema, one folder per dialect.
// The SQL files are the schema: nothing is created by AutoMigrate.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed mysql/*.sql sqlite/*.sql
var files embed.FS

// For returns the migration files of a dialect ("mysql" or "sqlite").
func For(dialect string) (fs.FS, error) {
	return fs.Sub(files, dialect)
}
