package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGracefulShutdown stops the server (as SIGTERM does, by cancelling
// Run's context) while a request is half sent, and checks that the
// request still completes and Run then returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "budgetgrid.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, Env{Listening: func(a string) { addrc <- a }})
	}()
	addr := <-addrc

	// A resident's cookies and CSRF token, from the start page.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get("http://" + addr + "/c/fenshire-2027")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token")
	}
	u, _ := url.Parse("http://" + addr + "/")
	var cookies []string
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	body := url.Values{"_csrf": {string(m[1])}}.Encode()

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /c/fenshire-2027/start HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		addr, strings.Join(cookies, "; "), len(body), body[:5])
	time.Sleep(100 * time.Millisecond) // the server is now reading the body

	cancel() // SIGTERM
	select {
	case err := <-done:
		t.Fatalf("Run returned before the in-flight request finished: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	io.WriteString(conn, body[5:])
	reply, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request was cut off: %v", err)
	}
	reply.Body.Close()
	if reply.StatusCode != http.StatusSeeOther {
		t.Fatalf("in-flight request: status %d, want 303", reply.StatusCode)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("Run did not return after the last request")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the server still accepts connections after shutdown")
	}
}
