package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/school"
)

// maxImportSize bounds the roster file read into memory.
const maxImportSize = 32 << 20

func (e *env) roster(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usagef("roster: want the subcommand import")
	}
	fs := flags("roster import")
	staff := fs.Bool("staff", false, "the file is the staff roster")
	confirm := fs.Bool("confirm-leavers", false, "mark enrolled students missing from the file as transferred")
	dryRun := fs.Bool("dry-run", false, "check and count, change nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("roster import: %v", err)
	}
	if fs.NArg() != 1 {
		return usagef("roster import: want exactly one FILE (.csv or .xlsx)")
	}
	path := fs.Arg(0)
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		return usagef("roster import: %s is not a .csv or .xlsx file", path)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	if info.Size() > maxImportSize {
		return fmt.Errorf("roster import: %s is larger than %d MB", path, maxImportSize>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	g, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close(g)
	svc := e.services(g, nil).School
	if *staff {
		res, err := svc.ImportStaff(ctx, auth.System, filepath.Base(path), data, *dryRun)
		if err != nil {
			return importFailed(err)
		}
		fmt.Fprintf(e.stdout, "教职工：新增 %d，更新 %d，未变 %d\n", res.Created, res.Updated, res.Unchanged)
		if len(res.Codes) > 0 && !*dryRun {
			file, err := e.writeCodes(res.Codes)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "新账号的激活码已写入 %s（请妥善保管，发给本人后删除），到 /activate 激活\n", file)
		}
		if *dryRun {
			fmt.Fprintln(e.stdout, "（试运行，未做任何改动）")
		}
		return nil
	}
	res, err := svc.Import(ctx, auth.System, filepath.Base(path), data, school.ImportOptions{DryRun: *dryRun, ConfirmLeavers: *confirm})
	if err != nil {
		return importFailed(err)
	}
	fmt.Fprintf(e.stdout, "学生：新增 %d，更新 %d，未变 %d；班级：新增 %d；家长联系人：新增 %d，删除 %d\n",
		res.StudentsCreated, res.StudentsUpdated, res.StudentsUnchanged, res.ClassesCreated, res.ContactsAdded, res.ContactsRemoved)
	if len(res.Leaving) > 0 {
		if *confirm {
			fmt.Fprintf(e.stdout, "以下 %d 名学生不在本文件中，已标记为转出：\n", len(res.Leaving))
		} else {
			fmt.Fprintf(e.stdout, "以下 %d 名在读学生不在本文件中，未作改动；如确已转出，请加 --confirm-leavers 重新导入：\n", len(res.Leaving))
		}
		for _, l := range res.Leaving {
			fmt.Fprintf(e.stdout, "  %s\t%s\t%s\n", l.StudentNo, l.Name, l.Class)
		}
	}
	if *dryRun {
		fmt.Fprintln(e.stdout, "（试运行，未做任何改动）")
	}
	return nil
}

// importFailed prints every bad line: the error message already lists them.
func importFailed(err error) error {
	var ie *school.ImportError
	if errors.As(err, &ie) {
		return errors.New(ie.Error())
	}
	return err
}

// writeCodes writes the activation codes to a new file only the owner can
// read, as UTF-8 CSV with a BOM so that Excel shows the Chinese names.
func (e *env) writeCodes(codes []school.ActivationCode) (string, error) {
	if err := os.MkdirAll(e.cfg.DataDir, 0o750); err != nil {
		return "", err
	}
	name := filepath.Join(e.cfg.DataDir, "activation-codes-"+time.Now().Format("20060102-150405")+".csv")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("roster import: activation codes: %w", err)
	}
	defer f.Close()
	_, _ = f.WriteString("\ufeff")
	w := csv.NewWriter(f)
	_ = w.Write([]string{"姓名", "手机", "激活码"})
	for _, c := range codes {
		_ = w.Write([]string{c.Name, c.Phone, c.Code})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return "", err
	}
	return name, f.Sync()
}

func (e *env) group(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return usagef("group: want the subcommand list")
	}
	if err := parse(flags("group list"), args[1:]); err != nil {
		return err
	}
	g, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close(g)
	groups, err := e.services(g, nil).Groups.All(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "id\tkind\tname\tinvite_code\tmembers")
	for _, gr := range groups {
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%d\n", gr.ID, gr.Kind, gr.Name, gr.InviteCode, gr.Members)
	}
	return nil
}
