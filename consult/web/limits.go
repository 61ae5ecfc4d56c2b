package web

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// startLimiter caps the responses started per address and per session in
// each window, through the store (so that several servers agree): a flood
// of starts cannot fill the database. Over the limit the resident sees a
// page saying when to try again (429 with Retry-After).
func (s *Server) startLimiter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		now := s.now()
		sess := s.session(c)
		lk, _ := sess.Values[sessLimit].(string)
		if lk == "" {
			lk = hex.EncodeToString(randomKey(12))
			sess.Values[sessLimit] = lk
		}
		for _, l := range []struct {
			name, key string
			limit     int
		}{
			{"address", "start:addr:" + c.RealIP(), s.startLimit},
			{"session", "start:sess:" + lk, s.startSessionLimit},
		} {
			ok, retry, err := s.store.Allow(ctx, l.key, l.limit, s.startWindow, now)
			if err != nil {
				return err
			}
			if !ok {
				return s.tooMany(c, l.name, retry, "msg.ratelimit.start")
			}
		}
		return next(c)
	}
}

// tooMany answers a request over a rate limit: a logged security event
// naming the limit, 429 with Retry-After in whole seconds (at least 1),
// and a page saying so (body is a catalogue key).
func (s *Server) tooMany(c echo.Context, limit string, retry time.Duration, body string) error {
	s.security(c, "rate_limited", "limit", limit)
	secs := int((retry + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	return s.render(c, http.StatusTooManyRequests, "message", &view{TitleKey: "msg.ratelimit.heading", D: message{
		Heading: "msg.ratelimit.heading", Paragraphs: []string{body},
	}})
}

// RunPurge deletes, now and then every PurgeEvery until ctx ends, the
// in-progress responses unchanged for longer than the configured
// PurgeAfter (completed responses are never touched), and logs how many.
func (s *Server) RunPurge(ctx context.Context) {
	t := time.NewTicker(PurgeEvery)
	defer t.Stop()
	for {
		if _, err := s.PurgeOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purge abandoned responses", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PurgeOnce deletes the in-progress responses unchanged for longer than
// PurgeAfter and returns how many.
func (s *Server) PurgeOnce(ctx context.Context) (int, error) {
	n, err := s.store.PurgeAbandoned(ctx, s.now().Add(-s.purgeAfter))
	if err == nil && n > 0 {
		s.log.Info("purged abandoned responses", "count", n, "older_than", s.purgeAfter.String())
	}
	return n, err
}
