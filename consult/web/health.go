package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthTimeout bounds how long /healthz waits for the database.
const healthTimeout = 2 * time.Second

// pinger is a store that can check its database answers.
type pinger interface {
	Ping(ctx context.Context) error
}

// health answers GET /healthz: 200 "ok" when the database answers, 503
// otherwise (without details: they go to the log), so a load balancer
// takes a server whose database is gone out of rotation.
func (s *Server) health(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	var err error
	if p, ok := s.store.(pinger); ok {
		err = p.Ping(ctx)
	} else {
		_, err = s.store.Consultations(ctx)
	}
	if err != nil {
		s.log.Error("health check: the database does not answer", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ok")
}
