package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

const (
	sessionName = "budgetgrid"
	// sessionKeySetting names the stored cookie keys: a 64-byte
	// authentication key and a 32-byte encryption key, made on first start.
	sessionKeySetting = "session_keys"
)

func (s *Server) sessionStore(ctx context.Context) (*sessions.CookieStore, error) {
	keys, err := s.store.SetSettingIfAbsent(ctx, sessionKeySetting, randomKey(96))
	if err != nil {
		return nil, fmt.Errorf("session keys: %w", err)
	}
	if len(keys) != 96 {
		return nil, fmt.Errorf("session keys: stored value has %d bytes, want 96", len(keys))
	}
	store := sessions.NewCookieStore(keys[:64], keys[64:])
	store.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   60 * 60 * 24 * 30,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
	return store, nil
}

// session returns the resident's session; a cookie that fails to decode
// (old keys, tampering) gives a fresh session rather than an error.
func (s *Server) session(c echo.Context) *sessions.Session {
	sess, err := s.sessions.Get(c.Request(), sessionName)
	if err != nil {
		sess, _ = s.sessions.New(c.Request(), sessionName)
	}
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
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
