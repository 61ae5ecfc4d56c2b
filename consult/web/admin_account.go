package web

import (
	"net/http"
	"strconv"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// accountData is the account page's data.
type accountData struct {
	TOTP     bool
	Sessions []*consult.AdminSession
	Current  int64
}

func (a *adminArea) account(c echo.Context) error {
	u := currentUser(c)
	ss, err := a.uc.Sessions(c.Request().Context(), u)
	if err != nil {
		return err
	}
	notice := ""
	switch c.QueryParam("done") {
	case "revoked":
		notice = "That session is signed out"
	case "codes-on":
		notice = "Security codes are on"
	case "codes-off":
		notice = "Security codes are off"
	}
	return a.render(c, http.StatusOK, "account", &adminView{Title: "Your account", Notice: notice,
		D: accountData{TOTP: len(u.TOTPSecret) > 0, Sessions: ss, Current: currentSession(c).ID}})
}

func (a *adminArea) revokeSession(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return consult.Errorf(consult.ENOTFOUND, "There is no such session")
	}
	if err := a.uc.RevokeSession(c.Request().Context(), currentUser(c), id, client(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/account?done=revoked")
}
