package main

import (
	"context"
	"errors"
	"fmt"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

func (e *env) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("user: want the subcommand add")
	}
	fs := flags("user add")
	role := fs.String("role", "", "admin, teacher or parent")
	name := fs.String("name", "", "real full name")
	phone := fs.String("phone", "", "mainland mobile number")
	password := fs.String("password", "", "initial password (at least 8 characters)")
	dept := fs.String("department", "", "department (staff)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	// Check the values before touching the database, so a typo never waits
	// for a connection.
	v := &apperr.ValidationError{}
	if _, ok := auth.NormalizePhone(*phone); !ok {
		v.Add("--phone", fmt.Sprintf("%q is not a mainland mobile number (11 digits starting 13–19)", *phone))
	}
	if _, ok := auth.NormalizeName(*name); !ok {
		v.Add("--name", fmt.Sprintf("%q is not a real full name (2–20 Chinese characters, · between parts of a minority name, or Latin letters and spaces)", *name))
	}
	if !auth.Role(*role).Valid() {
		v.Add("--role", fmt.Sprintf("%q must be admin, teacher or parent", *role))
	}
	if len(*password) < auth.MinPasswordLength {
		v.Add("--password", fmt.Sprintf("must be at least %d characters", auth.MinPasswordLength))
	}
	if err := v.Err(); err != nil {
		return usagef("user add: %v", err)
	}
	g, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close(g)
	u, err := e.services(g, nil).Auth.CreateUser(ctx, auth.NewUser{Phone: *phone, Name: *name, Role: auth.Role(*role), Password: *password, Department: *dept})
	if errors.Is(err, apperr.ErrConflict) {
		return fmt.Errorf("user add: --phone %s is already taken by another account", *phone)
	}
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintln(e.stdout, u.ID)
	return nil
}
