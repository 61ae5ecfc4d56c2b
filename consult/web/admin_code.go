package web

import (
	"math"
	"net/http"
	"strconv"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// codePage asks for the security code after the right password.
func (a *adminArea) codePage(c echo.Context) error {
	if _, err := a.uc.PendingUser(c.Request().Context(), adminSessionID(c)); err != nil {
		if consult.ErrorCode(err) == consult.ENOTFOUND {
			return c.Redirect(http.StatusSeeOther, "/admin/sign-in")
		}
		return err
	}
	return a.render(c, http.StatusOK, "code", &adminView{Title: "Enter your security code"})
}

func (a *adminArea) code(c echo.Context) error {
	res, err := a.uc.CheckCode(c.Request().Context(), adminSessionID(c), c.FormValue("code"), client(c))
	switch consult.ErrorCode(err) {
	case "":
	case consult.ENOTFOUND:
		return c.Redirect(http.StatusSeeOther, "/admin/sign-in")
	case consult.ETOOMANY:
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(res.RetryAfter.Seconds()))))
		return a.render(c, http.StatusTooManyRequests, "code", &adminView{Title: "Enter your security code", Errors: formErrors(err, "code")})
	case consult.EINVALID:
		return a.render(c, http.StatusUnprocessableEntity, "code", &adminView{Title: "Enter your security code", Errors: formErrors(err, "code")})
	default:
		return err
	}
	a.setAdminCookie(c, res.SessionID, consult.SessionAbsolute)
	return c.Redirect(http.StatusSeeOther, "/admin")
}
