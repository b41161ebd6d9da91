// Package demo loads a demo school so that a newcomer can try jiaxiao at
// once. Loading it twice changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
)

// Password is the password of every demo account.
const Password = "jiaxiao2026"

// Login is one demo account as printed for the user.
type Login struct {
	Role  auth.Role
	Name  string
	Phone string
}

// Accounts are the demo school's people.
var Accounts = []Login{
	{auth.RoleAdmin, "王建国", "13800000001"},
	{auth.RoleTeacher, "李芳", "13800000002"},
	{auth.RoleTeacher, "陈志强", "13800000003"},
	{auth.RoleParent, "张伟", "13900000001"},
	{auth.RoleParent, "刘敏", "13900000002"},
}

// Departments of the demo staff, by phone.
var departments = map[string]string{
	"13800000001": "校长室",
	"13800000002": "语文教研组",
	"13800000003": "数学教研组",
}

// Load creates whatever part of the demo school is missing and returns the
// demo logins.
func Load(ctx context.Context, a *auth.Service) ([]Login, error) {
	for _, l := range Accounts {
		_, err := a.CreateUser(ctx, auth.NewUser{Phone: l.Phone, Name: l.Name, Role: l.Role, Password: Password, Department: departments[l.Phone]})
		if err != nil && !errors.Is(err, apperr.ErrConflict) {
			return nil, fmt.Errorf("demo: %s: %w", l.Phone, err)
		}
	}
	return Accounts, nil
}
