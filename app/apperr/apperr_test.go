package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"jiaxiao/app/apperr"
)

// A page shows a validation error's messages, never the field names.
func TestValidationMessage(t *testing.T) {
	t.Parallel()
	v := &apperr.ValidationError{}
	v.Add("reason", "请填写理由")
	v.Add("end", "请选择结束时间")
	v.Add("start", "请选择结束时间") // the same words for two fields: shown once
	if got, want := v.Message(), "请选择结束时间；请填写理由"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	if got := v.Error(); got != "end: 请选择结束时间; reason: 请填写理由; start: 请选择结束时间" {
		t.Errorf("Error() = %q (the log's form keeps the fields)", got)
	}
	wrapped := fmt.Errorf("group: remove: %w", apperr.Invalid("reason", "请填写移出理由"))
	if got, ok := apperr.AsValidation(wrapped); !ok || got.Message() != "请填写移出理由" {
		t.Errorf("wrapped: %v %v", got, ok)
	}
	if _, ok := apperr.AsValidation(errors.New("plain")); ok {
		t.Error("a plain error taken for a validation error")
	}
}
