package web

import (
	"math"
	"net/http"
	"strconv"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// signInForm is the sign-in form.
type signInForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
}

func (a *adminArea) signInPage(c echo.Context) error {
	if _, _, err := a.uc.Authenticate(c.Request().Context(), adminSessionID(c)); err == nil {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	return a.render(c, http.StatusOK, "sign_in", &adminView{Title: "Sign in", D: signInForm{}})
}

func (a *adminArea) signIn(c echo.Context) error {
	f := signInForm{Email: c.FormValue("email"), Password: c.FormValue("password")}
	res, err := a.uc.SignIn(c.Request().Context(), f.Email, f.Password, client(c))
	if err != nil {
		f.Password = ""
		switch consult.ErrorCode(err) {
		case consult.ETOOMANY:
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(res.RetryAfter.Seconds()))))
			return a.render(c, http.StatusTooManyRequests, "sign_in", &adminView{Title: "Sign in", D: f, Errors: formErrors(err, "email")})
		case consult.EINVALID:
			return a.render(c, http.StatusUnprocessableEntity, "sign_in", &adminView{Title: "Sign in", D: f, Errors: formErrors(err, "email")})
		}
		return err
	}
	// A new id at every sign-in: any id planted before is worth nothing.
	if res.CodeNeeded {
		a.setAdminCookie(c, res.SessionID, consult.CodePendingFor)
		return c.Redirect(http.StatusSeeOther, "/admin/sign-in/code")
	}
	a.setAdminCookie(c, res.SessionID, consult.SessionAbsolute)
	return c.Redirect(http.StatusSeeOther, "/admin")
}
