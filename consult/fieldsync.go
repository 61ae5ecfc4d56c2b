package consult

import (
	"context"
	"time"
)

// Error codes of the field sync API besides the shared ones.
const (
	EUNAUTHORIZED = "unauthorized" // no device, an unknown token or a revoked device
	EERASED       = "erased"       // the response was erased at a resident's request
)

// Sync outcomes of a field upload that was accepted.
const (
	SyncCreated   = "created"
	SyncDuplicate = "duplicate"
)

// FieldSync is the use case behind the field sync API (DESIGN.md): a
// tablet hands over one finished interview at a time, idempotently by its
// id. The store's unique id decides duplicates, never a check before
// inserting.
type FieldSync struct {
	Consultations ConsultationStore
	Responses     ResponseStore
	Devices       DeviceStore
	Erasures      ErasureStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (fs *FieldSync) now() time.Time {
	if fs.Now != nil {
		return fs.Now().UTC()
	}
	return time.Now().UTC()
}

// Device returns the working device a bearer token names: EUNAUTHORIZED
// for no token, an unknown one or a revoked device.
func (fs *FieldSync) Device(ctx context.Context, token string) (*Device, error) {
	if token == "" {
		return nil, Errorf(EUNAUTHORIZED, "This device is not enrolled. Enrol it again with a code from the admin area.")
	}
	d, err := fs.Devices.DeviceByToken(ctx, HashDeviceToken(token))
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(EUNAUTHORIZED, "This device is not enrolled. Enrol it again with a code from the admin area.")
	} else if err != nil {
		return nil, err
	}
	if d.Revoked() {
		return nil, Errorf(EUNAUTHORIZED, "This device was revoked. Keep its interviews: export them and ask an admin.")
	}
	return d, nil
}

// Assigned returns the consultations assigned to a device, drafts left
// out.
func (fs *FieldSync) Assigned(ctx context.Context, d *Device) ([]*Consultation, error) {
	all, err := fs.Consultations.Consultations(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Consultation
	for _, c := range all {
		if c.Status != Draft && d.Assigned(c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}

// accepts reports whether a consultation takes an interview finished at
// completed, arriving now: while it is open, and after its closing time for
// FieldGraceHours when the interview was finished before the close (late).
func (c *Consultation) acceptsInterview(now, completed time.Time) (ok, late bool) {
	if c.AcceptsAnswers(now) {
		return true, false
	}
	if c.Status == Draft || c.ClosesAt.IsZero() || c.FieldGraceHours == 0 {
		return false, false
	}
	grace := c.ClosesAt.Add(time.Duration(c.FieldGraceHours) * time.Hour)
	if now.Before(grace) && completed.Before(c.ClosesAt) {
		return true, true
	}
	return false, false
}

// Put stores one finished interview sent by device d to the consultation
// with the given slug, under the id in the request's path. It returns the
// outcome (SyncCreated, SyncDuplicate) and the stored response. Errors:
// ENOTFOUND (no such consultation), EFORBIDDEN (not assigned), EERASED,
// EINVALID (with Fields, as the API reports them; also when the
// consultation no longer accepts interviews), and ECONFLICT when the id
// exists with different answers, with the stored response, whose
// reference the API returns; nothing is ever overwritten.
func (fs *FieldSync) Put(ctx context.Context, d *Device, slug, id string, body []byte) (string, *Response, error) {
	c, err := fs.Consultations.Consultation(ctx, slug)
	if err != nil || c.Status == Draft {
		return "", nil, Errorf(ENOTFOUND, "There is no consultation %q.", slug)
	}
	if !d.Assigned(c.ID) {
		return "", nil, Errorf(EFORBIDDEN, "This consultation is not assigned to this device.")
	}
	if ValidResponseID(id) {
		if erased, err := fs.Erasures.Erased(ctx, id); err != nil {
			return "", nil, err
		} else if erased {
			return "", nil, Errorf(EERASED, "This interview was erased at the respondent's request; it will not be stored again.")
		}
	}
	now := fs.now()
	r, details, err := ParseFieldRecord(c, id, body, now)
	if err != nil {
		return "", nil, err
	}
	ok, late := c.acceptsInterview(now, r.CompletedAt)
	if !ok {
		msg := "This consultation has closed and accepts no more interviews."
		return "", nil, &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Field: "", Code: "consultation.closed", Msg: msg}}}
	}
	iv := &Interview{DeviceID: d.ID, InterviewerID: d.UserID, Late: late}
	if details != nil {
		iv.Consent, iv.Notes, iv.TimingsMS = details.Consent, details.Notes, details.TimingsMS
	}
	r.Answers.Interview = iv
	added, err := fs.Responses.ImportResponses(ctx, c.ID, []*Response{r})
	switch {
	case ErrorCode(err) == ECONFLICT:
		stored, serr := fs.Responses.Response(ctx, id)
		if serr != nil {
			return "", nil, serr
		}
		return "", stored, &Error{Code: ECONFLICT, Message: "An interview with this id was sent before with different answers; the first one is kept."}
	case err != nil:
		return "", nil, err
	case added == 1:
		return SyncCreated, r, nil
	}
	stored, err := fs.Responses.Response(ctx, id)
	if err != nil {
		return "", nil, err
	}
	// The store compares what the wide CSV carries; comments are answers
	// too, so a re-send that changes them is a conflict, not a duplicate.
	if stored.Answers.Comments != r.Answers.Comments {
		return "", stored, &Error{Code: ECONFLICT, Message: "An interview with this id was sent before with different answers; the first one is kept."}
	}
	return SyncDuplicate, stored, nil
}
