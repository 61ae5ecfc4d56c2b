package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"

	"github.com/budgetgrid/budgetgrid/static"
	"github.com/budgetgrid/budgetgrid/templates"
	"github.com/labstack/echo/v4"
)

// The field app: one page at /field that runs face-to-face interviews on
// a tablet, offline first. Its service worker (served at /field/sw.js,
// outside the hashed asset URLs so that browsers can check it for updates)
// caches the page and every file it loads; the page keeps the device
// token, the assigned consultations and the queue of interviews in
// IndexedDB and sends each interview to the field sync API.

// fieldShell is the built page and worker: both are the same for every
// request, so they are rendered once at start.
type fieldShell struct {
	page []byte
	sw   []byte
	// version changes whenever the page or any file it loads changes,
	// so that the worker (which embeds it) is updated.
	version string
	urls    []string
}

// fieldShellFiles are the static files the app loads, all cached by the
// worker.
var fieldShellFiles = []string{"field/app.js", "field/queue.js", "field/interview.js", "field/field.css", "js/budget.js", "img/favicon.svg"}

func buildFieldShell(a *assets) (*fieldShell, error) {
	t, err := template.New("field.html").Funcs(template.FuncMap{"asset": a.url}).ParseFS(templates.FS, "field.html")
	if err != nil {
		return nil, fmt.Errorf("parse field.html: %w", err)
	}
	var page bytes.Buffer
	if err := t.ExecuteTemplate(&page, "field", nil); err != nil {
		return nil, fmt.Errorf("render field.html: %w", err)
	}
	urls := []string{"/field"}
	for _, f := range fieldShellFiles {
		u, err := a.url(f)
		if err != nil {
			return nil, err
		}
		urls = append(urls, u)
	}
	sort.Strings(urls[1:])
	worker, err := fs.ReadFile(static.FS, "field/sw.js")
	if err != nil {
		return nil, fmt.Errorf("read the field app's service worker: %w", err)
	}
	sum := sha256.New()
	sum.Write(page.Bytes())
	sum.Write(worker)
	for _, u := range urls {
		sum.Write([]byte(u))
	}
	version := hex.EncodeToString(sum.Sum(nil))[:12]
	list, _ := json.Marshal(urls)
	var sw bytes.Buffer
	fmt.Fprintf(&sw, "// Generated at start by budgetgrid: the shell's version and files.\nconst VERSION = %q;\nconst SHELL = %s;\n\n", version, list)
	sw.Write(worker)
	return &fieldShell{page: page.Bytes(), sw: sw.Bytes(), version: version, urls: urls}, nil
}

// fieldAppRoutes registers the field app's page and service worker.
func (s *Server) fieldAppRoutes(e *echo.Echo) {
	shell, err := buildFieldShell(s.assets)
	if err != nil {
		// The templates and files are embedded: a failure is a build
		// mistake, caught by every test that starts a server.
		panic(err)
	}
	e.GET("/field", func(c echo.Context) error {
		h := c.Response().Header()
		// The worker serves the page from its cache; the network copy
		// is only ever fetched by the worker or on first visit.
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Field-Shell", shell.version)
		return c.HTMLBlob(http.StatusOK, shell.page)
	})
	e.GET("/field/sw.js", func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-cache")
		// The worker lives under /field/ but controls /field itself.
		h.Set("Service-Worker-Allowed", "/field")
		return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", shell.sw)
	})
}
