package web

import (
	"net/http"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// consultationData is a consultation's admin page data.
type consultationData struct {
	S        *consult.ConsultationSummary
	Statuses []consult.Status
}

func (a *adminArea) consultation(c echo.Context) error {
	sum, err := a.uc.Summary(c.Request().Context(), currentUser(c), c.Param("slug"))
	if err != nil {
		return err
	}
	notice := ""
	if c.QueryParam("done") == "status" {
		notice = "The consultation is now " + string(sum.Consultation.Status)
	}
	return a.render(c, http.StatusOK, "consultation", &adminView{Title: sum.Consultation.Title, Back: "/admin", Notice: notice,
		D: consultationData{S: sum, Statuses: []consult.Status{consult.Draft, consult.Open, consult.Closed}}})
}
