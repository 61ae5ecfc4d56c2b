package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/labstack/echo/v4"
	qr "github.com/piglig/go-qr"
)

// enrolForm is the enrol-a-tablet form.
type enrolForm struct {
	Email         string
	Label         string
	Consultations []string
}

// Has reports whether the form chose the consultation with the slug.
func (f enrolForm) Has(slug string) bool {
	for _, s := range f.Consultations {
		if s == slug {
			return true
		}
	}
	return false
}

// deviceRow is one line of the device list.
type deviceRow struct {
	*consult.Device
	Interviewer   string
	Consultations string
}

// devicesData is the devices page's data.
type devicesData struct {
	Devices       []deviceRow
	Consultations []*consult.Consultation
	Form          enrolForm
	// Token and QR are shown once, right after an enrolment.
	Token, Enrolled string
	QR              template.HTML
}

func (a *adminArea) renderDevices(c echo.Context, status int, d devicesData, errs []consult.FieldError, notice string) error {
	ctx := c.Request().Context()
	me := currentUser(c)
	ds, err := a.uc.DevicesFor(ctx, me)
	if err != nil {
		return err
	}
	us, err := a.uc.UsersFor(ctx, me)
	if err != nil {
		return err
	}
	cs, err := a.uc.Store.Consultations(ctx)
	if err != nil {
		return err
	}
	emails, slugs := map[int64]string{}, map[int64]string{}
	for _, u := range us {
		emails[u.ID] = u.Email
	}
	for _, k := range cs {
		slugs[k.ID] = k.Slug
	}
	for _, dv := range ds {
		var names []string
		for _, id := range dv.Consultations {
			names = append(names, slugs[id])
		}
		d.Devices = append(d.Devices, deviceRow{Device: dv, Interviewer: emails[dv.UserID], Consultations: strings.Join(names, ", ")})
	}
	d.Consultations = cs
	return a.render(c, status, "devices", &adminView{Title: "Devices", Errors: errs, Notice: notice, D: d})
}

func (a *adminArea) devices(c echo.Context) error {
	return a.renderDevices(c, http.StatusOK, devicesData{}, nil, "")
}

func (a *adminArea) enrolDevice(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	f := enrolForm{Email: form.Get("email"), Label: form.Get("label"), Consultations: form["consultation"]}
	if len(f.Label) > 100 {
		return a.renderDevices(c, http.StatusUnprocessableEntity, devicesData{Form: f},
			[]consult.FieldError{{Field: "label", Code: "device.label", Msg: "Label must be 100 characters or fewer"}}, "")
	}
	token, dv, err := a.uc.EnrolDevice(ctx, currentUser(c), f.Email, f.Label, f.Consultations, client(c))
	if code := consult.ErrorCode(err); code == consult.EINVALID || code == consult.ENOTFOUND {
		field := "email"
		if len(f.Consultations) == 0 || strings.Contains(consult.ErrorMessage(err), "consultation") && !strings.Contains(consult.ErrorMessage(err), "interviewer") {
			field = "consultation"
		}
		return a.renderDevices(c, http.StatusUnprocessableEntity, devicesData{Form: f}, formErrors(err, field), "")
	} else if err != nil {
		return err
	}
	svg, err := qrSVG(token)
	if err != nil {
		return err
	}
	return a.renderDevices(c, http.StatusOK, devicesData{Token: token, Enrolled: dv.Label, QR: svg}, nil, "")
}

func (a *adminArea) revokeDevice(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return consult.Errorf(consult.ENOTFOUND, "There is no such device.")
	}
	if err := a.uc.RevokeDevice(c.Request().Context(), currentUser(c), id, client(c)); err != nil {
		return err
	}
	return a.renderDevices(c, http.StatusOK, devicesData{}, nil, fmt.Sprintf("Device %d revoked: its next sync will be refused", id))
}

// qrSVG draws text as a QR code in inline SVG (one path, a 4-module quiet
// zone), so that the page loads nothing from anywhere else.
func qrSVG(text string) (template.HTML, error) {
	q, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	n := q.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="240" height="240" role="img" aria-label="QR code of the enrolment code" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, n+8, n+8)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if q.Module(x, y) {
				fmt.Fprintf(&b, "M%d,%dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // built only from numbers above
}
