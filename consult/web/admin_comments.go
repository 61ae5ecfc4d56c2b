package web

import (
	"net/http"
	"net/url"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
)

// commentsData is the comments page's data.
type commentsData struct {
	Slug        string
	Title       string
	Search      string
	Comments    []consult.Comment
	CanModerate bool
}

func (a *adminArea) comments(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	k, err := a.uc.ConsultationFor(ctx, u, c.Param("slug"), consult.ActViewResults)
	if err != nil {
		return err
	}
	q := c.QueryParam("q")
	cs, err := a.uc.Comments(ctx, u, k.Slug, q, true)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "comments", &adminView{Title: "Comments – " + k.Title, Back: "/admin/consultations/" + url.PathEscape(k.Slug),
		D: commentsData{Slug: k.Slug, Title: k.Title, Search: q, Comments: cs, CanModerate: u.Can(consult.ActModerateComments, k.ID)}})
}

func (a *adminArea) hideComment(c echo.Context) error {
	slug := c.Param("slug")
	hidden := c.FormValue("hidden") != "false"
	if err := a.uc.SetCommentHidden(c.Request().Context(), currentUser(c), slug, c.Param("id"), hidden, client(c)); err != nil {
		return err
	}
	back := "/admin/consultations/" + url.PathEscape(slug) + "/comments"
	if q := c.FormValue("q"); q != "" {
		back += "?q=" + url.QueryEscape(q)
	}
	return c.Redirect(http.StatusSeeOther, back)
}
