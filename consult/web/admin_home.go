package web

import (
	"net/http"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// homeData is the admin home page's data.
type homeData struct {
	Consultations []consult.ConsultationSummary
}

func (a *adminArea) home(c echo.Context) error {
	cs, err := a.uc.ConsultationsFor(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "home", &adminView{Title: "Consultations", D: homeData{Consultations: cs}})
}
