package web_test

import (
	"context"
	"image"
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	qr "github.com/piglig/go-qr"
)

var (
	svgBox    = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgModule = regexp.MustCompile(`M(\d+),(\d+)h1v1h-1z`)
	codeRe    = regexp.MustCompile(`<code id="enrolment-code">([A-Za-z0-9_-]+)</code>`)
)

// decodeQR draws the page's inline SVG QR code as an image and reads it.
func decodeQR(t *testing.T, body string) string {
	t.Helper()
	m := svgBox.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no inline SVG QR code on the page")
	}
	n, _ := strconv.Atoi(m[1])
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, mm := range svgModule.FindAllStringSubmatch(body, -1) {
		x, _ := strconv.Atoi(mm[1])
		y, _ := strconv.Atoi(mm[2])
		for dy := 0; dy < scale; dy++ {
			for dx := 0; dx < scale; dx++ {
				img.SetGray(x*scale+dx, y*scale+dy, color.Gray{})
			}
		}
	}
	text, err := qr.Decode(img)
	if err != nil {
		t.Fatalf("decode the page's QR code: %v", err)
	}
	return text
}

func TestAdminDevicesEnrolAndRevoke(t *testing.T) {
	e := newEnv(t)
	admin := e.addUserWithPassword(t, "admin@fenshire.gov.uk", consult.RoleAdmin, "")
	e.addUser(t, "ivy@fenshire.gov.uk", consult.RoleInterviewer, e.k.Slug)
	e.addUser(t, "ed@fenshire.gov.uk", consult.RoleEditor, "")
	c := e.newClient(t)
	c.sessionFor(admin)

	c.get("/admin/devices").wantText(t, "No tablet is enrolled yet", "Enrol a tablet")

	// Bad input: the form again with a summary, nothing stored.
	r := c.post("/admin/devices", url.Values{"email": {"ivy@fenshire.gov.uk"}, "label": {"Tablet 3"}})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	r.wantText(t, "There is a problem", "Name at least one consultation")
	r = c.post("/admin/devices", url.Values{"email": {"ed@fenshire.gov.uk"}, "consultation": {e.k.Slug}})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	r.wantText(t, "is not an interviewer for")
	r = c.post("/admin/devices", url.Values{"email": {"nobody@fenshire.gov.uk"}, "consultation": {e.k.Slug}})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	r.wantText(t, "There is no user nobody@fenshire.gov.uk")
	if ds, _ := e.store.Devices(context.Background()); len(ds) != 0 {
		t.Fatalf("refused enrolments stored %d devices", len(ds))
	}

	r = c.post("/admin/devices", url.Values{"email": {"ivy@fenshire.gov.uk"}, "label": {"Tablet 3"}, "consultation": {e.k.Slug}})
	r.wantStatus(t, http.StatusOK)
	m := codeRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no enrolment code on the page:\n%s", r.body)
	}
	token := m[1]
	if got := decodeQR(t, r.body); got != token {
		t.Fatalf("QR code reads %q, want the enrolment code %q", got, token)
	}
	d, err := e.store.DeviceByToken(context.Background(), consult.HashDeviceToken(token))
	if err != nil || d.Label != "Tablet 3" || !d.Assigned(e.k.ID) || d.Revoked() {
		t.Fatalf("DeviceByToken(shown code) = %+v, %v", d, err)
	}

	// The list shows the device but never its code again.
	r = c.get("/admin/devices")
	r.wantText(t, "Tablet 3", "ivy@fenshire.gov.uk", e.k.Slug, "Active")
	if regexp.MustCompile(regexp.QuoteMeta(token)).MatchString(r.body) {
		t.Fatal("the device list shows the token again")
	}

	// Revoke without the CSRF token is refused.
	raw := c.postRaw("/admin/devices/"+strconv.FormatInt(d.ID, 10)+"/revoke", "")
	raw.wantStatus(t, http.StatusForbidden)
	r = c.post("/admin/devices/"+strconv.FormatInt(d.ID, 10)+"/revoke", url.Values{})
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "revoked", "Revoked")
	if d, _ = e.store.DeviceByToken(context.Background(), consult.HashDeviceToken(token)); !d.Revoked() {
		t.Fatal("device not revoked in the store")
	}
	c.post("/admin/devices/99999/revoke", url.Values{}).wantStatus(t, http.StatusNotFound)
	c.post("/admin/devices/x/revoke", url.Values{}).wantStatus(t, http.StatusNotFound)

	for _, action := range []string{"device.enrol", "device.revoke"} {
		es, err := e.store.Audit(context.Background(), consult.AuditFilter{Action: action})
		if err != nil || len(es) != 1 || es[0].Actor != admin.Email {
			t.Fatalf("audit %s = %v, %v; want one entry by the admin", action, es, err)
		}
	}
}

func TestAdminDevicesAdminOnly(t *testing.T) {
	e := newEnv(t)
	ed := e.addUserWithPassword(t, "ed@fenshire.gov.uk", consult.RoleEditor, "")
	c := e.newClient(t)
	c.sessionFor(ed)
	c.get("/admin/devices").wantStatus(t, http.StatusForbidden)
	c.post("/admin/devices", url.Values{"email": {"ed@fenshire.gov.uk"}, "consultation": {e.k.Slug}}).wantStatus(t, http.StatusForbidden)
	c.post("/admin/devices/1/revoke", url.Values{}).wantStatus(t, http.StatusForbidden)
	anon := e.newClient(t)
	r := anon.get("/admin/devices")
	if r.status != http.StatusSeeOther {
		t.Fatalf("signed out: status %d, want a redirect to sign in", r.status)
	}
}
