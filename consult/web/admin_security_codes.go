package web

import (
	"encoding/base64"
	"net/http"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// securityCodesData is the set-up page's data: a new secret, not stored
// until the user proves it with a code.
type securityCodesData struct {
	Secret     string
	SecretText string
	URI        string
}

func (a *adminArea) securityCodesData(u *consult.User, secret []byte) securityCodesData {
	return securityCodesData{Secret: base64.RawURLEncoding.EncodeToString(secret), SecretText: consult.TOTPSecretText(secret),
		URI: consult.TOTPURI(secret, "budgetgrid", u.Email)}
}

func (a *adminArea) securityCodesPage(c echo.Context) error {
	u := currentUser(c)
	return a.render(c, http.StatusOK, "security_codes", &adminView{Title: "Set up security codes", Back: "/admin/account",
		D: a.securityCodesData(u, consult.NewTOTPSecret())})
}

func (a *adminArea) securityCodesOn(c echo.Context) error {
	u := currentUser(c)
	secret, derr := base64.RawURLEncoding.DecodeString(c.FormValue("secret"))
	if derr != nil || len(secret) < 16 || len(secret) > 64 {
		secret = consult.NewTOTPSecret()
		derr = consult.Errorf(consult.EINVALID, "The key was damaged: add this new key to your app")
	}
	err := derr
	if err == nil {
		err = a.uc.EnableTOTP(c.Request().Context(), u, secret, c.FormValue("code"), client(c))
	}
	if consult.ErrorCode(err) == consult.EINVALID {
		return a.render(c, http.StatusUnprocessableEntity, "security_codes", &adminView{Title: "Set up security codes", Back: "/admin/account",
			Errors: formErrors(err, "code"), D: a.securityCodesData(u, secret)})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/account?done=codes-on")
}

func (a *adminArea) securityCodesOff(c echo.Context) error {
	if err := a.uc.DisableTOTP(c.Request().Context(), currentUser(c), client(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/account?done=codes-off")
}
