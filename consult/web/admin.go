package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	adminTemplates "github.com/budgetgrid/budgetgrid/templates/admin"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// adminCookie holds the admin session id: its own cookie, separate from
// the resident's, sent only to /admin and only from this site.
const adminCookie = "budgetgrid_admin"

// adminArea serves /admin: council officers and analysts, signed in.
type adminArea struct {
	s     *Server
	uc    *consult.Admin
	pages map[string]*template.Template
}

// The keys under which a signed-in request carries its user and session.
const (
	ctxUser    = "admin.user"
	ctxSession = "admin.session"
)

// adminRoutes parses the admin templates (failing fast) and registers the
// /admin routes on the server's router.
func (s *Server) adminRoutes() error {
	a := &adminArea{s: s, uc: &consult.Admin{Store: s.store, Now: s.now}}
	var err error
	if a.pages, err = parseAdminPages(s.assets); err != nil {
		return err
	}
	g := s.Echo.Group("/admin", a.errors, readForm, middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "budgetgrid_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "csrf").SetInternal(err)
		},
	}), noStore)
	// Open to anyone: signing in and setting a password.
	g.GET("/sign-in", a.signInPage)
	g.POST("/sign-in", a.signIn)
	g.GET("/sign-in/code", a.codePage)
	g.POST("/sign-in/code", a.code)
	g.GET("/set-password/:token", a.setPasswordPage)
	g.POST("/set-password/:token", a.setPassword)

	// Signed in, any role: the user's own account.
	u := g.Group("", a.requireUser)
	u.POST("/sign-out", a.signOut)
	u.GET("/account", a.account)
	u.POST("/account/sessions/:id/revoke", a.revokeSession)
	u.POST("/account/sign-out-everywhere", a.signOutEverywhere)
	u.GET("/account/security-codes", a.securityCodesPage)
	u.POST("/account/security-codes", a.securityCodesOn)
	u.POST("/account/security-codes/off", a.securityCodesOff)

	// Signed in, by role: the use cases check each permission.
	u.GET("", a.home)
	u.GET("/consultations/:slug", a.consultation)
	u.POST("/consultations/:slug/status", a.consultationStatus)
	u.GET("/consultations/:slug/download/:file", a.download)
	u.GET("/consultations/:slug/dashboard", a.dashboard)
	u.GET("/consultations/:slug/comments", a.comments)
	u.POST("/consultations/:slug/comments/:id/hide", a.hideComment)
	u.GET("/audit", a.audit)
	u.GET("/audit.csv", a.auditCSV)
	u.GET("/users", a.users)
	u.POST("/users", a.addUser)
	u.GET("/devices", a.devices)
	u.POST("/devices", a.enrolDevice)
	u.POST("/devices/:id/revoke", a.revokeDevice)
	return nil
}

// AdminRoutes lists every admin route as METHOD and path, for tests that
// walk them all.
func (s *Server) AdminRoutes() []string {
	var out []string
	for _, r := range s.Echo.Routes() {
		if strings.HasPrefix(r.Path, "/admin") && r.Method != echo.RouteNotFound {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func parseAdminPages(a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"when": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"day":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"percent": func(part, whole int) string {
			if whole == 0 {
				return "–"
			}
			return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 0, 64) + "%"
		},
		"stageName": stageName,
		"statusClass": func(s consult.Status) string {
			switch s {
			case consult.Open:
				return "govuk-tag--green"
			case consult.Closed:
				return "govuk-tag--grey"
			}
			return "govuk-tag--yellow"
		},
		"statusAction": func(s consult.Status) string {
			switch s {
			case consult.Open:
				return "Open to responses"
			case consult.Closed:
				return "Close"
			}
			return "Return to draft (hide)"
		},
		"grants": func(gs []consult.Grant, slugs map[int64]string) string {
			parts := make([]string, len(gs))
			for i, g := range gs {
				parts[i] = string(g.Role)
				if g.ConsultationID != 0 {
					parts[i] += " in " + slugs[g.ConsultationID]
				}
			}
			return strings.Join(parts, ", ")
		},
	}
	names, err := fs.Glob(adminTemplates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == "layout.html" {
			continue
		}
		t, err := template.New(n).Funcs(funcs).ParseFS(adminTemplates.FS, "layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse admin template %s: %w", n, err)
		}
		pages[strings.TrimSuffix(n, ".html")] = t
	}
	return pages, nil
}

// adminView is what every admin page gets.
type adminView struct {
	Title   string
	User    *consult.User
	IsAdmin bool
	CSRF    string
	Errors  []consult.FieldError
	Notice  string
	Back    string
	D       any
}

// FieldError returns the message of the first error about a field.
func (v *adminView) FieldError(name string) string {
	for _, e := range v.Errors {
		if e.Field == name {
			return e.Msg
		}
	}
	return ""
}

// render writes an admin page, rendered into a buffer first so that a
// template error never sends half a page.
func (a *adminArea) render(c echo.Context, status int, name string, v *adminView) error {
	t, ok := a.pages[name]
	if !ok {
		return fmt.Errorf("no admin template %q", name)
	}
	if tok, ok := c.Get("csrf").(string); ok {
		v.CSRF = tok
	}
	if u := currentUser(c); u != nil {
		v.User, v.IsAdmin = u, u.Can(consult.ActManageUsers, 0)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render admin %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// adminMessage is the data of the admin message page.
type adminMessage struct {
	Paragraphs []string
	Link       string
	LinkText   string
}

// errors is the admin area's error handler: domain codes and HTTP errors
// become a status and an admin page; internals are logged, never shown.
func (a *adminArea) errors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		status, title, msg := http.StatusInternalServerError, "Sorry, there is a problem with the service", adminMessage{Paragraphs: []string{"Try again later."}}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			switch {
			case he.Code == http.StatusForbidden:
				status, title, msg = he.Code, "This form has expired", adminMessage{Paragraphs: []string{"For your security, forms stop working after a while or when you sign in again. Go back, reload the page and try again."}}
			case he.Code == http.StatusRequestEntityTooLarge:
				status, title, msg = he.Code, "What you sent is too large", adminMessage{Paragraphs: []string{"Go back and send less."}}
			case he.Code < 500:
				status, title, msg = he.Code, "Sorry, we could not read that", adminMessage{Paragraphs: []string{"Go back and try again."}}
			}
		} else {
			switch consult.ErrorCode(err) {
			case consult.ENOTFOUND:
				status, title = http.StatusNotFound, "Page not found"
			case consult.EFORBIDDEN:
				status, title = http.StatusForbidden, "You cannot do this"
			case consult.EINVALID:
				status, title = http.StatusUnprocessableEntity, "Sorry, we could not do that"
			case consult.ECONFLICT:
				status, title = http.StatusConflict, "This has changed"
			case consult.ETOOMANY:
				status, title = http.StatusTooManyRequests, "Too many attempts"
			}
			if status < 500 {
				msg = adminMessage{Paragraphs: []string{consult.ErrorMessage(err)}, Link: "/admin", LinkText: "Go to the admin home page"}
			}
		}
		if status >= 500 {
			a.s.log.Error("admin request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		if rerr := a.render(c, status, "message", &adminView{Title: title, D: msg}); rerr != nil {
			a.s.log.Error("render admin error page", "err", rerr)
			return c.String(status, title)
		}
		return nil
	}
}

// client is where a request comes from.
func client(c echo.Context) consult.Client {
	return consult.Client{Address: c.RealIP(), UserAgent: c.Request().UserAgent()}
}

// setAdminCookie gives the browser a new session id.
func (a *adminArea) setAdminCookie(c echo.Context, id string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{Name: adminCookie, Value: id, Path: "/admin", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: a.s.secure, SameSite: http.SameSiteStrictMode})
}

// clearAdminCookie removes the session id from the browser.
func (a *adminArea) clearAdminCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: adminCookie, Value: "", Path: "/admin", MaxAge: -1,
		HttpOnly: true, Secure: a.s.secure, SameSite: http.SameSiteStrictMode})
}

func adminSessionID(c echo.Context) string {
	ck, err := c.Cookie(adminCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}

// requireUser lets through only a request with a live, full admin
// session; any other is sent to sign in.
func (a *adminArea) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, sess, err := a.uc.Authenticate(c.Request().Context(), adminSessionID(c))
		if consult.ErrorCode(err) == consult.ENOTFOUND {
			return c.Redirect(http.StatusSeeOther, "/admin/sign-in")
		} else if err != nil {
			return err
		}
		c.Set(ctxUser, u)
		c.Set(ctxSession, sess)
		return next(c)
	}
}

func currentUser(c echo.Context) *consult.User {
	u, _ := c.Get(ctxUser).(*consult.User)
	return u
}

func currentSession(c echo.Context) *consult.AdminSession {
	s, _ := c.Get(ctxSession).(*consult.AdminSession)
	return s
}

// formErrors returns the field errors of a domain error, or one error
// about field when it has none.
func formErrors(err error, field string) []consult.FieldError {
	if fe := consult.ErrorFields(err); len(fe) > 0 {
		return fe
	}
	return []consult.FieldError{{Field: field, Code: consult.ErrorCode(err), Msg: consult.ErrorMessage(err)}}
}

// isFormError reports whether err is one to show on the form again.
func isFormError(err error) bool {
	switch consult.ErrorCode(err) {
	case consult.EINVALID, consult.ECONFLICT:
		return true
	}
	return false
}

// stageName names a stage for officers.
func stageName(st consult.Stage) string {
	switch st.Kind {
	case consult.StageAbout:
		return "About you"
	case consult.StageCurrent:
		return "Your current service"
	case consult.StageUnacceptable:
		return "Unacceptable levels"
	case consult.StageLot:
		return "Round " + strconv.Itoa(st.Lot)
	case consult.StageComments:
		return "Comments"
	case consult.StageCheck:
		return "Check your answers"
	}
	return string(st.Kind)
}
