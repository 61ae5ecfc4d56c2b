package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDoubleSubmit sends the check-answers form several times at once (a
// double click, two tabs): one is accepted, the others are told the
// answers were sent, none fails, and one reference is stored.
func TestDoubleSubmit(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("check-answers")
	id := c.responseID()
	token := c.token()
	body := url.Values{"_csrf": {token}}.Encode()

	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+base+"/check-answers", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.http.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	wg.Wait()
	accepted := 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			accepted++
		case http.StatusConflict:
		default:
			t.Errorf("status %d; statuses %v; log:\n%s", s, statuses, e.logs.String())
		}
	}
	if accepted != 1 {
		t.Errorf("%d submissions accepted, want 1 (statuses %v)", accepted, statuses)
	}
	r, err := e.store.Response(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Completed() || r.Reference == "" {
		t.Fatalf("response not completed")
	}
	if _, done, _ := e.store.CountResponses(context.Background(), e.k.ID); done != 1 {
		t.Errorf("%d completed responses, want 1", done)
	}
	// The confirmation shows the stored reference.
	c.get(base+"/confirmation").wantText(t, r.Reference)
}

// TestTamperedSession sends a session cookie that does not decode: the
// resident is sent to the start page, not shown an error.
func TestTamperedSession(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	before := c.stored()
	u, _ := url.Parse(e.srv.URL)

	bad := e.newClient(t)
	bad.csrf = c.token()
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "budgetgrid" {
			ck.Value = strings.Repeat("A", 40) + ck.Value[40:]
		}
		bad.jar.SetCookies(u, []*http.Cookie{ck})
	}
	bad.get(base+"/lot-1").wantRedirect(t, base)
	// A tampered session is a new one: the old page's token is not its own.
	bad.post(base+"/lot-1", lotForm(lot1)).wantStatus(t, http.StatusForbidden)
	bad.get(base+"/confirmation").wantRedirect(t, base)
	if d := sameResponse(before, c.stored()); d != "" {
		t.Errorf("stored response changed: %s", d)
	}
	// With no session at all, stages send the visitor to the start page.
	none := e.newClient(t)
	none.get(base+"/comments").wantRedirect(t, base)
}

// TestHead checks that HEAD works wherever GET does (uptime monitors and
// link checkers use it), and that no body follows the headers on the wire:
// a body after a HEAD reply corrupts the next reply on a kept-alive
// connection.
func TestHead(t *testing.T) {
	e := newEnv(t)
	for name, p := range map[string]string{"home": "/", "start": base, "health": "/healthz", "not found": "/nope"} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "HEAD %s HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", p)
			br := bufio.NewReader(conn)
			head, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
			if err != nil {
				t.Fatalf("read HEAD reply: %v", err)
			}
			head.Body.Close()
			want := http.StatusOK
			if name == "not found" {
				want = http.StatusNotFound
			}
			if head.StatusCode != want {
				t.Errorf("HEAD %s: status %d, want %d as for GET", p, head.StatusCode, want)
			}
			next, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
			if err != nil {
				t.Fatalf("the reply after HEAD %s is unreadable (a body followed the HEAD reply?): %v", p, err)
			}
			b, _ := io.ReadAll(next.Body)
			next.Body.Close()
			if next.StatusCode != http.StatusOK || string(b) != "ok" {
				t.Errorf("the reply after HEAD %s: status %d body %.60q, want 200 ok (a body followed the HEAD reply)", p, next.StatusCode, b)
			}
		})
	}
}
