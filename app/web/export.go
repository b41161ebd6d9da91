package web

import (
	"bufio"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"jiaxiao/storage"
)

// exportWriteWait is how long a client may take to read each piece of an
// export before it is given up: a phone that stops reading does not keep
// its export's slot.
const exportWriteWait = time.Minute

// meExport is 导出我的数据: a zip of the user's own data, streamed as it
// is written. Refusals (one at a time, a few an hour) come before the
// first byte, as a page saying when to try again.
func (s *Server) meExport(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ex, err := s.export.Begin(ctx, u, c.RealIP())
	if err != nil {
		return err
	}
	defer ex.Close()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set("Content-Disposition", storage.Disposition(ex.FileName()))
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// The deadline would outlive this response on a kept-alive connection.
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	out := bufio.NewWriterSize(deadlineWriter{w: w, rc: rc}, 64<<10)
	err = ex.Write(ctx, out)
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		// Too late for an error page; end the connection so the browser
		// reports a failed download rather than saving a broken zip.
		if ctx.Err() == nil {
			s.log.Error("export cut off", "err", err, "user", u.ID, "request_id", h.Get(echo.HeaderXRequestID))
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

// deadlineWriter gives each write exportWriteWait to reach the client.
type deadlineWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (d deadlineWriter) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(exportWriteWait))
	return d.w.Write(p)
}
