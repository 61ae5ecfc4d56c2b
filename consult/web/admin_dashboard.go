package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

func (a *adminArea) dashboard(c echo.Context) error {
	d, err := a.uc.Dashboard(c.Request().Context(), currentUser(c), c.Param("slug"))
	if err != nil {
		return err
	}
	k := d.Summary.Consultation
	return a.render(c, http.StatusOK, "dashboard", &adminView{Title: "Dashboard – " + k.Title, Back: "/admin/consultations/" + url.PathEscape(k.Slug), D: d})
}
