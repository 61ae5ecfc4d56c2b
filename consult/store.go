package consult

import (
	"context"
	"time"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Store keeps consultations and responses: the narrow stores below,
// composed. Implementations live in subpackages (consult/sqlite) and pass
// the same conformance suite. Callers take the narrowest interface they
// need.
//
// Errors are domain errors (*Error) where the caller can act on them:
// ENOTFOUND, ECONFLICT, ESUBMITTED, ECLOSED.
type Store interface {
	ConsultationStore
	ResponseStore
	ResumeStore
	SettingStore
	RateLimitStore
	DeviceStore
	ErasureStore
	RedactStore
	UserStore
	TokenStore
	AdminSessionStore
	AuditStore
	ModerationStore
	StatsStore
	// Close releases the store.
	Close() error
}

// ConsultationStore keeps consultations and their grid versions.
type ConsultationStore interface {
	// CreateConsultation stores a new consultation with its grid, setting
	// c.ID, c.GridVersion and c.CreatedAt. ECONFLICT if the slug exists.
	CreateConsultation(ctx context.Context, c *Consultation) error
	// ReplaceConsultation replaces the definition and grid of the
	// consultation with c.Slug. ECONFLICT if it has any response (grids
	// are frozen once answered); ENOTFOUND if there is none.
	ReplaceConsultation(ctx context.Context, c *Consultation) error
	// Consultation returns the consultation with the given slug. Its grid
	// may be shared with other callers and must not be changed.
	Consultation(ctx context.Context, slug string) (*Consultation, error)
	// Consultations lists every consultation, newest first.
	Consultations(ctx context.Context) ([]*Consultation, error)
	// SetStatus moves a consultation through its lifecycle.
	SetStatus(ctx context.Context, slug string, s Status) error
}

// ResponseStore keeps responses, in progress and completed.
type ResponseStore interface {
	// CreateResponse stores a new in-progress response. ECONFLICT if the
	// id exists.
	CreateResponse(ctx context.Context, r *Response) error
	// Response returns the response with the given id.
	Response(ctx context.Context, id string) (*Response, error)
	// SaveResponse writes an in-progress response's answers and progress.
	// It succeeds only if r.Version equals the stored version, which it
	// then increments (setting r.Version to the new value); otherwise
	// ECONFLICT with ChangedElsewhereMessage. ESUBMITTED, before any version
	// check, if it has been completed.
	SaveResponse(ctx context.Context, r *Response) error
	// CompleteResponse writes the final answers and marks the response
	// complete in one transaction, setting r.Reference and r.CompletedAt
	// and incrementing r.Version as SaveResponse does (ECONFLICT if
	// r.Version is not the stored one). It returns only once the commit is
	// durable. ESUBMITTED if it was already complete.
	CompleteResponse(ctx context.Context, r *Response) error
	// CountResponses counts a consultation's responses: all and completed.
	CountResponses(ctx context.Context, consultationID int64) (all, completed int, err error)
	// EachCompleted calls fn for every completed response of a
	// consultation, ordered by completion time to the second (as the wide
	// CSV carries it) then id, streaming, so that an export of imported
	// responses comes out in the same order.
	EachCompleted(ctx context.Context, consultationID int64, fn func(*Response) error) error
	// ImportResponses stores completed responses all or nothing. A
	// response whose id exists with the same wide CSV record (SameRecord)
	// is skipped; with a different one it is an ECONFLICT naming the id. It returns how
	// many were added.
	// Imported responses are stored with Version 1.
	ImportResponses(ctx context.Context, consultationID int64, rs []*Response) (added int, err error)
	// PurgeAbandoned deletes the in-progress (never completed) responses
	// last updated before before, with their resume codes, and returns how
	// many it deleted. Completed responses are never touched.
	PurgeAbandoned(ctx context.Context, before time.Time) (purged int, err error)
}

// ChangedElsewhereMessage is the ECONFLICT message of a save or completion
// whose response was changed since it was read (its Version is stale).
const ChangedElsewhereMessage = "These answers were changed in another window. Your latest answers are shown."

// ResumeStore keeps the hashes of resume codes.
type ResumeStore interface {
	// SetResumeCode stores the hash of a resume code for an in-progress
	// response, with the stage (its slug) the resident saved on. Codes
	// given before keep working. ESUBMITTED if the response is complete;
	// ENOTFOUND if there is none.
	SetResumeCode(ctx context.Context, responseID string, codeHash []byte, stage string) error
	// ResponseByResumeCode returns the response a resume code's hash
	// belongs to and the stage it was saved on. ENOTFOUND if no response
	// has it; a completed response's code no longer works (ENOTFOUND).
	ResponseByResumeCode(ctx context.Context, codeHash []byte) (*Response, string, error)
}

// SettingStore keeps settings shared by every server on one database,
// such as the session keys.
type SettingStore interface {
	// Setting returns a stored setting, ENOTFOUND if unset.
	Setting(ctx context.Context, key string) ([]byte, error)
	// SetSettingIfAbsent stores a setting unless one exists, and returns
	// the stored value.
	SetSettingIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)
}

// RateLimitStore counts events per key in fixed windows, so that several
// servers on one database share every limit.
type RateLimitStore interface {
	// Allow records one event for key and reports whether it is within limit
	// events per window. Windows are aligned to multiples of window since the
	// Unix epoch (UTC). When refused, retryAfter is the time until the window
	// ends; a refused event is not counted. Old windows may be deleted.
	Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error)
}

// RateWindow returns the start of the fixed window of length window that
// holds now: windows are aligned to multiples of window since the Unix
// epoch. window must be positive.
func RateWindow(now time.Time, window time.Duration) time.Time {
	n, w := now.UnixNano(), int64(window)
	m := n % w
	if m < 0 {
		m += w
	}
	return time.Unix(0, n-m).UTC()
}

// DeploymentStore reads and writes everything a store holds, as it is
// stored (ids, grid versions, references, times, in-progress responses,
// resume codes and settings), so that a whole deployment can move from one
// store to another. Rate-limit counts are not part of it.
type DeploymentStore interface {
	// EachItem calls fn for every stored item from one consistent
	// snapshot, streaming: each consultation, then every grid version,
	// then the responses, the resume codes, the settings, the devices, the
	// admin area's users (with their grants), hidden comments and audit
	// entries, and the erased responses' tombstones. One-time tokens and
	// admin sessions are not part of it: after a move, officers sign in
	// again and set-password links are made anew.
	EachItem(ctx context.Context, fn func(DeploymentItem) error) error
	// LoadItems stores the items that next returns, until it returns
	// io.EOF, into an empty store, in one transaction, keeping their ids
	// and times: all or nothing. ECONFLICT if the store holds any
	// consultation, response, setting, device, user or audit entry already.
	LoadItems(ctx context.Context, next func() (DeploymentItem, error)) error
}

// DeploymentItem is one stored thing; exactly one field is set.
type DeploymentItem struct {
	// Consultation is a consultation without its grid; its GridVersion is
	// the current one.
	Consultation *Consultation
	GridVersion  *GridVersion
	Response     *Response
	ResumeCode   *ResumeCode
	Setting      *Setting
	Device       *Device
	// User is an admin-area user with its grants.
	User          *User
	HiddenComment *HiddenComment
	AuditEntry    *AuditEntry
	Erasure       *Erasure
}

// HiddenComment marks a response whose comment an officer has hidden.
type HiddenComment struct {
	ResponseID string
	UserID     int64
	HiddenAt   time.Time
}

// Erasure is the tombstone of a response erased at a resident's request.
type Erasure struct {
	ResponseID     string
	ConsultationID int64
	ErasedAt       time.Time
}

// GridVersion is a consultation's grid as it was stored at one time.
type GridVersion struct {
	ID             int64
	ConsultationID int64
	Grid           *grid.Grid
	CreatedAt      time.Time
}

// ResumeCode is the stored hash of a resume code.
type ResumeCode struct {
	Hash       []byte
	ResponseID string
	Stage      string
	CreatedAt  time.Time
}

// Setting is one stored setting.
type Setting struct {
	Key   string
	Value []byte
}

// StreamImporter imports completed responses from a stream, holding one
// at a time, so that a file of a million rows needs no more memory than
// one of ten.
type StreamImporter interface {
	// ImportStream stores the completed responses that next returns, until
	// it returns io.EOF (any other error aborts), all or nothing in one
	// transaction, with ImportResponses' rules: an existing id with the
	// same record is skipped, with another an ECONFLICT naming it. The
	// responses are not changed. It returns how many were added.
	ImportStream(ctx context.Context, consultationID int64, next func() (*Response, error)) (added int, err error)
}
