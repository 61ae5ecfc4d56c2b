package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/xuri/excelize/v2"
)

// browser is a minimal client with cookies and the last page's CSRF token.
type browser struct {
	t    *testing.T
	http *http.Client
	csrf string
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, u string, form url.Values) (int, http.Header, []byte) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("_csrf", b.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(data); m != nil {
		b.csrf = string(m[1])
	}
	return res.StatusCode, res.Header, data
}

// TestUserAddAndDownloads: "user add" prints a link that sets a password
// in the browser; the signed-in analyst's downloads hold the same bytes
// (and the same analysis numbers) as the command line's exports.
func TestUserAddAndDownloads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	def := writeDemo(t, dir)
	db := filepath.Join(dir, "t.db")
	sim := filepath.Join(dir, "sim.csv")
	const slug = "fenshire-2027"
	for _, args := range [][]string{
		{"consultation", "import", "--db", db, def},
		{"responses", "simulate", slug, "--db", db, "--n", "120", "--out", sim},
		{"responses", "import", slug, sim, "--db", db},
	} {
		if _, stderr, err := run(t, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
	}
	store, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// One comment that a spreadsheet would run as a formula.
	k, err := store.Consultation(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	var first *consult.Response
	if err := store.EachCompleted(ctx, k.ID, func(r *consult.Response) error {
		if first == nil {
			first = r
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	withComment := consult.FromRecord(k, first.Record(k))
	withComment.ID = "6f1c2a8e-4b7d-4c1e-9a3f-2d5e8b7c6a10"
	withComment.Answers.Comments = `=HYPERLINK("http://evil.example","click")`
	if _, err := store.ImportResponses(ctx, k.ID, []*consult.Response{withComment}); err != nil {
		t.Fatal(err)
	}

	s, err := web.New(ctx, web.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	if _, _, err := run(t, "user", "add", "--db", db, "--role", "editor", "--consultation", "no-such", "ana@fenshire.gov.uk"); err == nil || !strings.Contains(err.Error(), "no-such") {
		t.Fatalf("user add for an unknown consultation: %v", err)
	}
	if _, _, err := run(t, "user", "add", "--db", db, "--role", "boss", "ana@fenshire.gov.uk"); err == nil {
		t.Fatal("user add with an unknown role worked")
	}
	out, _, err := run(t, "user", "add", "--db", db, "--role", "analyst", "--consultation", slug, "--base-url", srv.URL+"/", "Ana@Fenshire.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`http://\S+/admin/set-password/\S+`).FindString(out)
	if link == "" {
		t.Fatalf("no link in %q", out)
	}
	// Without --base-url, a path.
	pathOut, _, err := run(t, "user", "add", "--db", db, "--role", "admin", "boss@fenshire.gov.uk")
	if err != nil || !strings.Contains(pathOut, "\n/admin/set-password/") {
		t.Fatalf("user add without a base URL: %q, %v", pathOut, err)
	}
	if _, _, err := run(t, "user", "add", "--db", db, "--role", "admin", "boss@fenshire.gov.uk"); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("adding the same user twice: %v", err)
	}

	b := newBrowser(t)
	if st, _, body := b.do("GET", link, nil); st != 200 || !bytes.Contains(body, []byte("ana@fenshire.gov.uk")) {
		t.Fatalf("set-password page: %d", st)
	}
	const pw = "a long memorable passphrase"
	if st, _, _ := b.do("POST", link, url.Values{"password": {pw}, "confirm": {pw}}); st != 200 {
		t.Fatalf("set password: %d", st)
	}
	b.do("GET", srv.URL+"/admin/sign-in", nil)
	if st, h, _ := b.do("POST", srv.URL+"/admin/sign-in", url.Values{"email": {"ana@fenshire.gov.uk"}, "password": {pw}}); st != 303 || h.Get("Location") != "/admin" {
		t.Fatalf("sign in: %d to %q", st, h.Get("Location"))
	}

	download := func(file string) []byte {
		st, _, body := b.do("GET", srv.URL+"/admin/consultations/"+slug+"/download/"+file, nil)
		if st != 200 {
			t.Fatalf("download %s: %d", file, st)
		}
		return body
	}
	for _, tc := range []struct {
		file string
		args []string
	}{
		{"responses.csv", []string{"responses", "export", slug}},
		{"comments.csv", []string{"responses", "comments", slug}},
		{"consultation.json", []string{"consultation", "export", slug}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cli, _, err := run(t, append(tc.args, "--db", db)...)
			if err != nil {
				t.Fatal(err)
			}
			if got := download(tc.file); !bytes.Equal(got, []byte(cli)) {
				t.Errorf("download differs from the command line's %d bytes:\n%.400s", len(cli), got)
			}
		})
	}
	if c := download("comments.csv"); !bytes.Contains(c, []byte(`'=HYPERLINK`)) {
		t.Errorf("the formula comment is not neutralised:\n%s", c)
	}

	t.Run("analysis.xlsx", func(t *testing.T) {
		outDir := filepath.Join(dir, "cli")
		if _, _, err := run(t, "analyse", slug, "--db", db, "--format", "xlsx", "--out", outDir); err != nil {
			t.Fatal(err)
		}
		cliFile, err := os.ReadFile(filepath.Join(outDir, "analysis.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		want, got := xlsxSheets(t, cliFile), xlsxSheets(t, download("analysis.xlsx"))
		if len(want) < 3 || len(got) != len(want) {
			t.Fatalf("web has %d sheets, command line %d", len(got), len(want))
		}
		for name, rows := range want {
			if strings.EqualFold(name, "source") {
				// Its first row names the database file or the
				// consultation; the count of responses must agree.
				if g := got[name]; len(g) != len(rows) || strings.Join(g[len(g)-1], ",") != strings.Join(rows[len(rows)-1], ",") {
					t.Errorf("source sheet %v, want %v", g, rows)
				}
				continue
			}
			if g := got[name]; strings.Join(flatten(g), "\x00") != strings.Join(flatten(rows), "\x00") {
				t.Errorf("sheet %s differs (%d rows vs %d)", name, len(g), len(rows))
			}
		}
	})

	// The analyst may not change anything.
	if st, _, _ := b.do("POST", srv.URL+"/admin/consultations/"+slug+"/status", url.Values{"status": {"closed"}}); st != 403 {
		t.Errorf("analyst closing: %d, want 403", st)
	}
}

func xlsxSheets(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return out
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, "\x01"))
	}
	return out
}
