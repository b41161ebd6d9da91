package component

import "github.com/a-h/templ"

// Decision is an approve/reject pair for a request, a held message or a
// join request: approving needs nothing more; rejecting needs a reason,
// which the requester is told.
type Decision struct {
	ApproveURL, RejectURL string
	CSRF                  string
	// Error is the message for the reason, after a rejection without one.
	Error string
	// Name tells the pair's buttons apart in tests: data-testid is
	// "approve"+Name and "reject"+Name.
	Name string
	// Target, if set, swaps the answer into that element (htmx) instead of
	// loading a page.
	Target string
}

func (d Decision) attrs(url string) templ.Attributes {
	if d.Target == "" {
		return nil
	}
	return templ.Attributes{"hx-post": url, "hx-target": d.Target, "hx-swap": "outerHTML"}
}

// Input is a labelled form field with the message for it, if any.
type Input struct {
	Label, Type, Name, Value string
	Error                    string
	// Attrs are the input's other attributes (maxlength, autocomplete,
	// inputmode, required, placeholder …).
	Attrs templ.Attributes
}

// errorID is the id of the message under an Input, which the input names
// in aria-describedby so that a screen reader reads it with the field.
func (in Input) errorID() string { return "err-" + in.Name }

// invalid marks a refused input for screen readers: aria-invalid="true"
// (an empty aria-invalid reads as "not invalid") and the message it is
// described by.
func (in Input) invalid() templ.Attributes {
	if in.Error == "" {
		return nil
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": in.errorID()}
}
