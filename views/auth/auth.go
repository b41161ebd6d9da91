// Package auth renders the login, registration and activation screens.
package auth

import "jiaxiao/views/privacy"

// LoginForm is the login screen's state.
type LoginForm struct {
	Phone string
	Next  string
	Error string
}

// RegisterForm is the parent self-registration screen's state. The password
// is never sent back to the browser.
type RegisterForm struct {
	Phone  string
	Name   string
	Code   string
	Errors map[string]string
	Notice string
	// Consent is the privacy notice to agree to, and the box.
	Consent privacy.ConsentBox
}

// ActivateForm is the account activation screen's state.
type ActivateForm struct {
	Phone  string
	Code   string
	Errors map[string]string
}
