package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

func (e *env) attendanceCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usagef("attendance: want the subcommand import")
	}
	fs := flags("attendance import")
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("attendance import: %v", err)
	}
	if fs.NArg() != 1 {
		return usagef("attendance import: want exactly one FILE (.csv or .xlsx)")
	}
	path := fs.Arg(0)
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".csv" && ext != ".xlsx" {
		return usagef("attendance import: %s is not a .csv or .xlsx file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("attendance import: %w", err)
	}
	g, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close(g)
	res, err := e.services(g, nil).Attendance.ImportPunches(ctx, auth.System, filepath.Base(path), data)
	if err != nil {
		return importFailed(err)
	}
	fmt.Fprintf(e.stdout, "打卡记录：新增 %d，已有 %d\n", res.Added, res.Known)
	return nil
}
