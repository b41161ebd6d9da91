// Package notify delivers messages outside jiaxiao: SMS codes and DING
// reminders go through a Sender, which is a log line by default and an
// HTTP webhook to a real SMS gateway in production.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Message is one outbound message to a phone.
type Message struct {
	Phone string `json:"phone"`
	// Kind says what the message is for: "register_code", "ding", ...
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes each message to the log instead of delivering it. It is
// the default so that a school can try jiaxiao without an SMS gateway; the
// log then holds the verification codes, so use it for trials only.
type LogSender struct {
	Log *slog.Logger
}

// Send implements Sender.
func (s LogSender) Send(_ context.Context, m Message) error {
	s.Log.Info("sender: message not delivered (JIAXIAO_SENDER=log)", "phone", m.Phone, "kind", m.Kind, "text", m.Text)
	return nil
}

// WebhookSender POSTs each message as JSON to URL and expects a 2xx answer.
type WebhookSender struct {
	URL    string
	Client *http.Client
}

// NewWebhookSender returns a sender with a 10-second timeout.
func NewWebhookSender(url string) *WebhookSender {
	return &WebhookSender{URL: url, Client: &http.Client{Timeout: 10 * time.Second}}
}

// Send implements Sender.
func (s *WebhookSender) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := s.Client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify: webhook answered %s", resp.Status)
	}
	return nil
}
