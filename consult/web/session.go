package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

const (
	sessionName = "budgetgrid"
	// sessionKeySetting names the stored cookie keys: a 64-byte
	// authentication key and a 32-byte encryption key, made on first start.
	sessionKeySetting = "session_keys"
	// hostPrefix makes a cookie's name promise the browser keeps it to
	// this host, over HTTPS, for the whole site: __Host- cookies cannot be
	// set by a sibling domain or over plain HTTP.
	hostPrefix = "__Host-"

	// The session's own values: a random id (the CSRF token is bound to
	// it), when it began and when it was last used (Unix seconds).
	sessID   = "sid"
	sessBorn = "born"
	sessSeen = "seen"
	// sessLimit names the browser for the per-session start limit; unlike
	// the id it survives rotation (and it is no secret).
	sessLimit = "lk"
)

// Defaults for the in-progress session limits the server enforces.
const (
	DefaultSessionIdle     = 2 * time.Hour
	DefaultSessionAbsolute = 24 * time.Hour
)

// cookieName is a cookie's name on this site: with the __Host- prefix when
// it is served over HTTPS.
func (s *Server) cookieName(name string) string {
	if s.secure {
		return hostPrefix + name
	}
	return name
}

func (s *Server) sessionStore(ctx context.Context) (*sessions.CookieStore, error) {
	keys, err := s.store.SetSettingIfAbsent(ctx, sessionKeySetting, randomKey(96))
	if err != nil {
		return nil, fmt.Errorf("session keys: %w", err)
	}
	if len(keys) != 96 {
		return nil, fmt.Errorf("session keys: stored value has %d bytes, want 96", len(keys))
	}
	// The CSRF key is derived from the authentication key, apart from it.
	m := hmac.New(sha256.New, keys[:64])
	m.Write([]byte("budgetgrid csrf v1"))
	s.csrfKey = m.Sum(nil)
	store := sessions.NewCookieStore(keys[:64], keys[64:])
	store.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(s.sessionAbsolute / time.Second),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
	return store, nil
}

// session returns the resident's session, once per request. A cookie that
// fails to decode (old keys, tampering) gives a fresh session rather than
// an error. A session idle for longer than the idle limit, or older than
// the absolute one, forgets its responses (the server decides this from
// the times it wrote into the authenticated cookie, not from the cookie's
// age, which a browser may ignore).
func (s *Server) session(c echo.Context) *sessions.Session {
	if sess, ok := c.Get("session").(*sessions.Session); ok {
		return sess
	}
	sess, err := s.sessions.Get(c.Request(), s.cookieName(sessionName))
	if err != nil {
		sess, _ = s.sessions.New(c.Request(), s.cookieName(sessionName))
	}
	now := s.now().Unix()
	born, _ := sess.Values[sessBorn].(int64)
	seen, _ := sess.Values[sessSeen].(int64)
	if born != 0 && (now-seen > int64(s.sessionIdle/time.Second) || now-born > int64(s.sessionAbsolute/time.Second)) {
		for k := range sess.Values {
			if k != sessID {
				delete(sess.Values, k)
			}
		}
		s.security(c, "session_expired")
		born = 0
	}
	if _, ok := sess.Values[sessID].(string); !ok {
		sess.Values[sessID] = hex.EncodeToString(randomKey(16))
	}
	if born == 0 {
		sess.Values[sessBorn] = now
	}
	sess.Values[sessSeen] = now
	c.Set("session", sess)
	return sess
}

// csrfToken is the session's CSRF token: bound to the session's random id,
// so a token from another session (or none) is refused.
func (s *Server) csrfToken(sess *sessions.Session) string {
	id, _ := sess.Values[sessID].(string)
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rotateSession gives the resident a new session (new id, new times, no
// values), at start and at resume: a session id fixed by someone else
// before then is worth nothing after.
func (s *Server) rotateSession(c echo.Context) *sessions.Session {
	sess := s.session(c)
	lk := sess.Values[sessLimit]
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	if lk != nil {
		sess.Values[sessLimit] = lk
	}
	now := s.now().Unix()
	sess.Values[sessID] = hex.EncodeToString(randomKey(16))
	sess.Values[sessBorn] = now
	sess.Values[sessSeen] = now
	c.Set("csrf", s.csrfToken(sess))
	return sess
}

// responseID returns the id of the resident's response to a consultation.
func (s *Server) responseID(c echo.Context, slug string) string {
	id, _ := s.session(c).Values["r:"+slug].(string)
	return id
}

// setSessionValue stores one value in the session cookie.
func (s *Server) setSessionValue(c echo.Context, key string, value any) error {
	sess := s.session(c)
	if value == nil {
		delete(sess.Values, key)
	} else {
		sess.Values[key] = value
	}
	return s.saveSession(c, sess)
}

func (s *Server) saveSession(c echo.Context, sess *sessions.Session) error {
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// endSession forgets everything the resident's session holds and deletes
// its cookie, so that the next person at a shared computer inherits
// nothing.
func (s *Server) endSession(c echo.Context) error {
	sess := s.session(c)
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	opts := *s.sessions.Options
	opts.MaxAge = -1
	sess.Options = &opts
	c.Set("csrf", s.csrfToken(sess))
	return s.saveSession(c, sess)
}

// csrf refuses a POST unless it comes from this site's own pages: the
// browser's Origin (when sent) is this site's, Sec-Fetch-Site (when sent)
// is same-origin, and the form's _csrf field, from the body only, never
// the query string, is the session's token. GETs are given the token.
// Every refusal is logged as a security event.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := s.session(c)
		token := s.csrfToken(sess)
		c.Set("csrf", token)
		req := c.Request()
		if req.Method != http.MethodPost {
			// Keep the session (and so the token) for the form's post.
			if err := s.saveSession(c, sess); err != nil {
				return err
			}
			return next(c)
		}
		reason := ""
		if site := req.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
			reason = "sec-fetch-site " + site
		} else if o := req.Header.Get("Origin"); o != "" && !s.sameOrigin(c, o) {
			reason = "origin"
		} else if got := req.PostForm.Get("_csrf"); got == "" {
			reason = "missing token"
		} else if !hmac.Equal([]byte(got), []byte(token)) {
			reason = "wrong token"
		}
		if reason != "" {
			s.security(c, "csrf_refused", "reason", reason)
			return echo.NewHTTPError(http.StatusForbidden, "csrf")
		}
		return next(c)
	}
}

// sameOrigin reports whether an Origin header names this site: the
// configured base URL, else the address the request was sent to.
func (s *Server) sameOrigin(c echo.Context, origin string) bool {
	if s.publicURL != "" {
		return strings.EqualFold(origin, originOf(s.publicURL))
	}
	scheme := "http"
	if c.Request().TLS != nil {
		scheme = "https"
	}
	if s.trustProxy {
		scheme = c.Scheme()
	}
	return strings.EqualFold(origin, scheme+"://"+c.Request().Host)
}

// originOf is the scheme://host[:port] of a URL.
func originOf(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return u
	}
	if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
		return u[:i+3+j]
	}
	return u
}

// security logs a security event as one structured line, without personal
// data: no address, no answers, no codes or tokens.
func (s *Server) security(c echo.Context, event string, args ...any) {
	s.log.Warn("security", append([]any{"event", event, "method", c.Request().Method, "route", c.Path()}, args...)...)
}
