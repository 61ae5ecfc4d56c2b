package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/labstack/echo/v4"
)

// auditPageLimit caps the entries one audit page shows; the CSV has all.
const auditPageLimit = 500

// auditActions are the actions offered in the filter.
var auditActions = []string{consult.AuditSignIn, consult.AuditSignInFailed, consult.AuditSignInLimited, consult.AuditSignOut,
	consult.AuditSignOutAll, consult.AuditSessionRevoke, consult.AuditUserAdd, consult.AuditPasswordLink, consult.AuditPasswordSet, consult.AuditTOTPOn,
	consult.AuditTOTPOff, consult.AuditStatus, consult.AuditCommentHide, consult.AuditCommentShow, consult.AuditDownload, consult.AuditAuditExport}

// auditData is the audit page's data.
type auditData struct {
	Filter  consult.AuditFilter
	Actions []string
	Entries []*consult.AuditEntry
	Capped  bool
	Query   string
}

func auditFilter(c echo.Context) consult.AuditFilter {
	return consult.AuditFilter{Actor: c.QueryParam("user"), Action: c.QueryParam("action")}
}

func (a *adminArea) audit(c echo.Context) error {
	f := auditFilter(c)
	f.Limit = auditPageLimit + 1
	es, err := a.uc.AuditLog(c.Request().Context(), currentUser(c), f)
	if err != nil {
		return err
	}
	capped := len(es) > auditPageLimit
	if capped {
		es = es[:auditPageLimit]
	}
	q := url.Values{}
	if f.Actor != "" {
		q.Set("user", f.Actor)
	}
	if f.Action != "" {
		q.Set("action", f.Action)
	}
	return a.render(c, http.StatusOK, "audit", &adminView{Title: "Audit log", D: auditData{Filter: f, Actions: auditActions, Entries: es, Capped: capped, Query: q.Encode()}})
}

func (a *adminArea) auditCSV(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	es, err := a.uc.AuditLog(ctx, u, auditFilter(c))
	if err != nil {
		return err
	}
	if err := a.uc.Audit(ctx, u, consult.AuditAuditExport, "audit.csv", client(c)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="audit.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "at", "actor", "action", "target", "before", "after", "address"})
	for _, e := range es {
		_ = w.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format("2006-01-02T15:04:05Z07:00"), report.SafeCell(e.Actor), report.SafeCell(e.Action),
			report.SafeCell(e.Target), report.SafeCell(e.Before), report.SafeCell(e.After), report.SafeCell(e.Address)})
	}
	w.Flush()
	return w.Error()
}
