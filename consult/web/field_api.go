package web

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// The field sync API (DESIGN.md, "Field sync API"): tablets hand over
// finished interviews one at a time, authenticated by their device token.
// Every answer is JSON, errors included; the rules are consult.FieldSync's.

// fieldAPIRoutes registers the API. It has no CSRF check: it takes no
// cookies, only a bearer token.
func (s *Server) fieldAPIRoutes(e *echo.Echo) {
	g := e.Group("/api/field/v1", s.apiErrors, noStore)
	g.GET("/consultations", s.apiConsultations)
	g.PUT("/consultations/:slug/responses/:id", s.apiPutResponse)
}

func (s *Server) fieldSync() *consult.FieldSync {
	return &consult.FieldSync{Consultations: s.store, Responses: s.store, Devices: s.store, Erasures: s.store, Now: s.now}
}

// apiErrors answers every error of an API handler as JSON with the
// status of the error table, never an HTML page, and never internals.
func (s *Server) apiErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status := "error"
			msg := http.StatusText(he.Code)
			switch he.Code {
			case http.StatusNotFound, http.StatusMethodNotAllowed:
				status, msg = "not_found", "There is no such address in the field sync API."
			case http.StatusRequestEntityTooLarge:
				status, msg = "invalid", "The record is too large."
			}
			if he.Code >= 500 {
				s.log.Error("api request failed", "path", c.Request().URL.Path, "err", err)
				msg = "Sorry, there is a problem with the service. Try again later."
			}
			return c.JSON(he.Code, map[string]any{"status": status, "message": msg})
		}
		code := consult.ErrorCode(err)
		status, name := http.StatusInternalServerError, "error"
		switch code {
		case consult.EUNAUTHORIZED:
			status, name = http.StatusUnauthorized, "unauthorized"
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="budgetgrid field"`)
		case consult.EFORBIDDEN:
			status, name = http.StatusForbidden, "forbidden"
		case consult.ENOTFOUND:
			status, name = http.StatusNotFound, "not_found"
		case consult.EERASED:
			status, name = http.StatusGone, "erased"
		case consult.EINVALID:
			status, name = http.StatusUnprocessableEntity, "invalid"
		default:
			s.log.Error("api request failed", "path", c.Request().URL.Path, "err", err)
		}
		return c.JSON(status, map[string]any{"status": name, "message": consult.ErrorMessage(err)})
	}
}

// bearer returns the request's bearer token, or "".
func bearer(c echo.Context) string {
	h := c.Request().Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// apiConsultation is one consultation as the field app needs it.
type apiConsultation struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	GridVersion int64      `json:"grid_version"`
	ClosesAt    *time.Time `json:"closes_at"`
	GraceHours  int        `json:"grace_hours"`
	Completed   int        `json:"completed"`
	Definition  rawJSON    `json:"definition"`
}

func (s *Server) apiConsultations(c echo.Context) error {
	ctx := c.Request().Context()
	fs := s.fieldSync()
	d, err := fs.Device(ctx, bearer(c))
	if err != nil {
		return err
	}
	cs, err := fs.Assigned(ctx, d)
	if err != nil {
		return err
	}
	out := []apiConsultation{}
	for _, k := range cs {
		def, err := k.MarshalCanonical()
		if err != nil {
			return err
		}
		_, completed, err := s.store.CountResponses(ctx, k.ID)
		if err != nil {
			return err
		}
		a := apiConsultation{Slug: k.Slug, Title: k.Title, Status: string(k.Status), GridVersion: k.GridVersion, GraceHours: k.FieldGraceHours, Completed: completed, Definition: rawJSON(def)}
		if !k.ClosesAt.IsZero() {
			t := k.ClosesAt.UTC()
			a.ClosesAt = &t
		}
		out = append(out, a)
	}
	return c.JSON(http.StatusOK, map[string]any{"consultations": out})
}

// rawJSON embeds JSON bytes as they are.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

func (s *Server) apiPutResponse(c echo.Context) error {
	ctx := c.Request().Context()
	fs := s.fieldSync()
	d, err := fs.Device(ctx, bearer(c))
	if err != nil {
		return err
	}
	if ct := c.Request().Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return c.JSON(http.StatusUnsupportedMediaType, map[string]any{"status": "invalid", "message": "Send the record as application/json."})
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, consult.MaxFieldRecordBytes+1))
	if err != nil {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	id := c.Param("id")
	outcome, r, err := fs.Put(ctx, d, c.Param("slug"), id, body)
	switch consult.ErrorCode(err) {
	case "":
	case consult.ECONFLICT:
		ref := ""
		if r != nil {
			ref = r.Reference
		}
		return c.JSON(http.StatusConflict, map[string]any{"status": "conflict", "response_id": id, "reference": ref, "message": consult.ErrorMessage(err)})
	case consult.EERASED:
		return c.JSON(http.StatusGone, map[string]any{"status": "erased", "response_id": id, "message": consult.ErrorMessage(err)})
	case consult.EINVALID:
		type fieldError struct {
			Field   string `json:"field"`
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		errs := []fieldError{}
		for _, fe := range consult.ErrorFields(err) {
			errs = append(errs, fieldError{fe.Field, fe.Code, fe.Msg})
		}
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"status": "invalid", "errors": errs})
	default:
		return err
	}
	status := http.StatusOK
	if outcome == consult.SyncCreated {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{"status": outcome, "response_id": r.ID, "reference": r.Reference})
}
