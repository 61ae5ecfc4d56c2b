package web

import (
	"net/http"
	"net/url"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

func (a *adminArea) consultationStatus(c echo.Context) error {
	slug := c.Param("slug")
	if err := a.uc.SetConsultationStatus(c.Request().Context(), currentUser(c), slug, consult.Status(c.FormValue("status")), client(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/consultations/"+url.PathEscape(slug)+"?done=status")
}
