package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (a *adminArea) signOut(c echo.Context) error {
	if err := a.uc.SignOut(c.Request().Context(), currentUser(c), currentSession(c), client(c)); err != nil {
		return err
	}
	a.clearAdminCookie(c)
	return a.render(c, http.StatusOK, "message", &adminView{Title: "You have signed out", D: adminMessage{Link: "/admin/sign-in", LinkText: "Sign in again"}})
}

func (a *adminArea) signOutEverywhere(c echo.Context) error {
	if err := a.uc.SignOutEverywhere(c.Request().Context(), currentUser(c), client(c)); err != nil {
		return err
	}
	a.clearAdminCookie(c)
	c.Set(ctxUser, nil)
	return a.render(c, http.StatusOK, "message", &adminView{Title: "You have signed out everywhere", D: adminMessage{
		Paragraphs: []string{"Every browser where you were signed in now needs your password again."}, Link: "/admin/sign-in", LinkText: "Sign in again"}})
}
