package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// A component that fails halfway leaves nothing written: the error page
// can still be sent, with its own status, instead of half a page under 200.
func TestRenderFailureWritesNothing(t *testing.T) {
	t.Parallel()
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	half := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "<p>一半")
		return errors.New("template broke")
	})
	err := render(c, http.StatusOK, half)
	if err == nil || c.Response().Committed || rec.Body.Len() != 0 {
		t.Fatalf("err %v, committed %v, body %q", err, c.Response().Committed, rec.Body.String())
	}
	ok := templ.ComponentFunc(func(_ context.Context, w io.Writer) error { _, err := io.WriteString(w, "<p>完整</p>"); return err })
	if err := render(c, http.StatusCreated, ok); err != nil || rec.Code != http.StatusCreated || rec.Body.String() != "<p>完整</p>" {
		t.Fatalf("render: %v %d %q", err, rec.Code, rec.Body.String())
	}
}

// An error after the answer began is logged, not dropped.
func TestErrorAfterCommitIsLogged(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logged, nil))}
	e := echo.New()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/notices/1/receipts.csv", nil), httptest.NewRecorder())
	c.Response().WriteHeader(http.StatusOK)
	s.handleError(errors.New("disk gone midway"), c)
	if !strings.Contains(logged.String(), "disk gone midway") {
		t.Fatalf("log: %q", logged.String())
	}
	logged.Reset()
	s.handleError(context.Canceled, c)
	if logged.Len() != 0 {
		t.Fatalf("a client that went away was logged: %q", logged.String())
	}
}
