package web

import (
	"net/http"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// addUserForm is the add-user form.
type addUserForm struct {
	Email        string
	Role         string
	Consultation string
}

// usersData is the users page's data.
type usersData struct {
	Users         []*consult.User
	Roles         []consult.Role
	Consultations []*consult.Consultation
	Form          addUserForm
	Link, Added   string
	// Slugs names the consultations by id, for the grants.
	Slugs map[int64]string
}

func (a *adminArea) renderUsers(c echo.Context, status int, d usersData, errs []consult.FieldError) error {
	ctx := c.Request().Context()
	us, err := a.uc.UsersFor(ctx, currentUser(c))
	if err != nil {
		return err
	}
	cs, err := a.uc.Store.Consultations(ctx)
	if err != nil {
		return err
	}
	d.Users, d.Roles, d.Consultations, d.Slugs = us, consult.Roles, cs, map[int64]string{}
	for _, k := range cs {
		d.Slugs[k.ID] = k.Slug
	}
	return a.render(c, status, "users", &adminView{Title: "Users", Errors: errs, D: d})
}

func (a *adminArea) users(c echo.Context) error {
	return a.renderUsers(c, http.StatusOK, usersData{}, nil)
}

func (a *adminArea) addUser(c echo.Context) error {
	ctx := c.Request().Context()
	f := addUserForm{Email: c.FormValue("email"), Role: c.FormValue("role"), Consultation: c.FormValue("consultation")}
	u, tok, err := a.uc.AddUserIn(ctx, currentUser(c), f.Email, consult.Role(f.Role), f.Consultation, client(c))
	if isFormError(err) {
		return a.renderUsers(c, http.StatusUnprocessableEntity, usersData{Form: f}, formErrors(err, "email"))
	} else if err != nil {
		return err
	}
	return a.renderUsers(c, http.StatusOK, usersData{Link: a.s.baseURL(c) + "/admin/set-password/" + tok, Added: u.Email}, nil)
}
