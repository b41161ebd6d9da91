package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWebhookSender(t *testing.T) {
	t.Parallel()
	var got Message
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if got.Phone == "13900000000" {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	s := NewWebhookSender(srv.URL)
	want := Message{Phone: "13800138000", Kind: "register_code", Text: "验证码 123456"}
	if err := s.Send(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("gateway got %+v", got)
	}
	if err := s.Send(context.Background(), Message{Phone: "13900000000"}); err == nil {
		t.Fatal("a 502 from the gateway must be an error")
	}
}
