package web

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/labstack/echo/v4"
)

// download sends one of the files the command line exports, with the same
// bytes (the analysis tables' source row aside).
func (a *adminArea) download(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	k, err := a.uc.ConsultationFor(ctx, u, c.Param("slug"), consult.ActViewResults)
	if err != nil {
		return err
	}
	file := c.Param("file")
	var ctype string
	var write func(w *bufio.Writer) error
	switch file {
	case "responses.csv":
		ctype = "text/csv; charset=utf-8"
		write = func(w *bufio.Writer) error { return report.WriteWide(ctx, w, a.uc.Store, k) }
	case "comments.csv":
		ctype = "text/csv; charset=utf-8"
		write = func(w *bufio.Writer) error { return report.WriteComments(ctx, w, a.uc.Store, k) }
	case "consultation.json":
		ctype = "application/json"
		write = func(w *bufio.Writer) error {
			b, err := k.MarshalCanonical()
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}
	case "analysis.xlsx":
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		write = func(w *bufio.Writer) error {
			tables, err := report.Tables(ctx, a.uc.Store, k, "consultation "+k.Slug)
			if err != nil {
				return err
			}
			return report.WriteXLSX(w, tables)
		}
	default:
		return consult.Errorf(consult.ENOTFOUND, "There is no such download")
	}
	// Built in memory first, so that a failure midway is an error page,
	// not a truncated file.
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	if err := write(bw); err != nil {
		return fmt.Errorf("download %s of %s: %w", file, k.Slug, err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := a.uc.Audit(ctx, u, consult.AuditDownload, k.Slug+"/"+file, client(c)); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", k.Slug+"-"+file))
	return c.Blob(http.StatusOK, ctype, buf.Bytes())
}
