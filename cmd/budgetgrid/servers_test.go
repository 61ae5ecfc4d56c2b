package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/postgres/pgtest"
)

// serveOn runs "budgetgrid serve" on db with extra flags and returns its
// base URL and, with --metrics, its metrics address.
func serveOn(t *testing.T, db string, extra ...string) (base, metrics string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc, metricsc := make(chan string, 1), make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, extra...), Env{
			Stdout: &out, Stderr: io.Discard,
			Listening:        func(addr string) { addrc <- addr },
			MetricsListening: func(addr string) { metricsc <- addr },
		})
	}()
	select {
	case base = <-addrc:
	case err := <-done:
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start in 20s")
	}
	select {
	case metrics = <-metricsc:
	default:
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + base, metrics
}

// getBody GETs a URL and returns its status and body.
func getBody(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// completeJourney answers every stage through c, moving to the next base
// URL in bases at each stage, as a load balancer might, and returns the
// confirmation page.
func completeJourney(t *testing.T, c *client, bases []string, keys []string) string {
	t.Helper()
	const slug = "/c/fenshire-2027"
	i := 0
	next := func() {
		c.base = bases[i%len(bases)]
		i++
	}
	next()
	c.get(slug, http.StatusOK)
	c.post(slug+"/start", url.Values{}, http.StatusSeeOther)
	next()
	c.get(slug+"/about-you", http.StatusOK)
	c.post(slug+"/about-you", url.Values{"about.area": {"marshby"}}, http.StatusSeeOther)
	next()
	c.get(slug+"/current-service", http.StatusOK)
	c.post(slug+"/current-service", url.Values{}, http.StatusSeeOther)
	next()
	c.get(slug+"/unacceptable-levels", http.StatusOK)
	c.post(slug+"/unacceptable-levels", url.Values{}, http.StatusSeeOther)
	for lot := 1; lot <= 4; lot++ {
		next()
		c.get(fmt.Sprintf("%s/lot-%d", slug, lot), http.StatusOK)
		c.post(fmt.Sprintf("%s/lot-%d", slug, lot), lotForm(keys, nil), http.StatusSeeOther)
	}
	next()
	c.get(slug+"/comments", http.StatusOK)
	c.post(slug+"/comments", url.Values{}, http.StatusSeeOther)
	next()
	c.get(slug+"/check-answers", http.StatusOK)
	if loc := c.post(slug+"/check-answers", url.Values{}, http.StatusSeeOther); loc != slug+"/confirmation" {
		t.Fatalf("submit redirects to %q", loc)
	}
	next()
	return c.get(slug+"/confirmation", http.StatusOK)
}

func TestHealthzAndMetricsListener(t *testing.T) {
	db := t.TempDir() + "/budgetgrid.db"
	base, metrics := serveOn(t, db, "--metrics", "127.0.0.1:0")
	if metrics == "" {
		t.Fatal("serve --metrics did not listen for metrics")
	}
	if code, body := getBody(t, base+"/healthz"); code != http.StatusOK || body != "ok" {
		t.Fatalf("healthz = %d %q", code, body)
	}
	if code, _ := getBody(t, base+"/metrics"); code != http.StatusNotFound {
		t.Fatalf("/metrics on the public address = %d, want 404", code)
	}
	completeJourney(t, newClient(t, base), []string{base}, fenshireServiceKeys(t, db))
	code, body := getBody(t, "http://"+metrics+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, "budgetgrid_completions_total 1") ||
		!strings.Contains(body, `budgetgrid_http_requests_total{method="POST",route="/c/:slug/:stage",status="303"}`) {
		t.Fatalf("metrics = %d:\n%s", code, body)
	}
	t.Run("off by default", func(t *testing.T) {
		_, metrics := serveOn(t, t.TempDir()+"/b.db")
		if metrics != "" {
			t.Fatalf("serve without --metrics listens for metrics at %s", metrics)
		}
	})
}

// TestThreeServersOnePostgres runs three app servers on one PostgreSQL
// database: a resident's journey moves between them stage by stage, and
// resume-code attempts spread over them share one limit.
func TestThreeServersOnePostgres(t *testing.T) {
	pg := pgtest.URL(t)
	var bases []string
	for range 3 {
		base, _ := serveOn(t, pg)
		bases = append(bases, base)
	}
	keys := fenshireServiceKeys(t, pg)
	page := completeJourney(t, newClient(t, bases[0]), bases, keys)
	if !strings.Contains(page, "reference") && !strings.Contains(page, "Reference") {
		t.Errorf("the confirmation shows no reference:\n%s", page)
	}
	out, _, err := run(t, "responses", "export", "fenshire-2027", "--db", pg)
	if err != nil || strings.Count(out, "\n") != 2 {
		t.Fatalf("export after one journey over three servers: %v\n%s", err, out)
	}
	t.Run("resume attempts share one limit", func(t *testing.T) {
		const slug = "/c/fenshire-2027"
		c := newClient(t, bases[0])
		c.get(slug+"/resume", http.StatusOK)
		began := time.Now()
		for i := range 10 {
			c.base = bases[i%3]
			c.post(slug+"/resume", url.Values{"code": {"ABCD-EFGH-JKMN"}}, http.StatusUnprocessableEntity)
		}
		if !consultWindowSame(began) {
			t.Skip("a minute ended during the attempts; the count started again")
		}
		c.base = bases[1]
		c.post(slug+"/resume", url.Values{"code": {"ABCD-EFGH-JKMN"}}, http.StatusTooManyRequests)
	})
}

// consultWindowSame reports whether now is in the same minute window as t.
func consultWindowSame(t time.Time) bool {
	return consult.RateWindow(t, time.Minute).Equal(consult.RateWindow(time.Now(), time.Minute))
}
