package web

import (
	"net/http"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// setPasswordData is the set-password page's data.
type setPasswordData struct {
	Email string
	Token string
}

func (a *adminArea) setPasswordPage(c echo.Context) error {
	tok := c.Param("token")
	u, err := a.uc.PasswordLinkUser(c.Request().Context(), tok)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "set_password", &adminView{Title: "Set your password", D: setPasswordData{Email: u.Email, Token: tok}})
}

func (a *adminArea) setPassword(c echo.Context) error {
	tok := c.Param("token")
	u, err := a.uc.SetPassword(c.Request().Context(), tok, c.FormValue("password"), c.FormValue("confirm"), client(c))
	if consult.ErrorCode(err) == consult.EINVALID {
		who, lerr := a.uc.PasswordLinkUser(c.Request().Context(), tok)
		if lerr != nil {
			return lerr
		}
		return a.render(c, http.StatusUnprocessableEntity, "set_password", &adminView{Title: "Set your password", Errors: formErrors(err, "password"),
			D: setPasswordData{Email: who.Email, Token: tok}})
	} else if err != nil {
		return err
	}
	a.clearAdminCookie(c)
	return a.render(c, http.StatusOK, "message", &adminView{Title: "Your password is set", D: adminMessage{
		Paragraphs: []string{"You can now sign in as " + u.Email + "."}, Link: "/admin/sign-in", LinkText: "Sign in"}})
}
