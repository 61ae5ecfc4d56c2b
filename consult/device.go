package consult

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Device is an interviewer's tablet enrolled to send finished interviews to
// the field sync API. It holds its own token, of which the store keeps only
// a hash, and may send only to the consultations assigned to it.
type Device struct {
	ID int64
	// UserID is the interviewer the device belongs to.
	UserID int64
	// Label names the device for the admin's list ("Tablet 3").
	Label         string
	TokenHash     []byte
	Consultations []int64
	CreatedAt     time.Time
	// RevokedAt is when an admin revoked the device; zero while it works.
	RevokedAt time.Time
}

// Revoked reports whether the device was revoked.
func (d *Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// Assigned reports whether the device may send to the consultation.
func (d *Device) Assigned(consultationID int64) bool {
	for _, id := range d.Consultations {
		if id == consultationID {
			return true
		}
	}
	return false
}

// DeviceStore keeps enrolled devices.
type DeviceStore interface {
	// CreateDevice stores a new device, setting d.ID and d.CreatedAt.
	// ECONFLICT if its token hash is taken.
	CreateDevice(ctx context.Context, d *Device) error
	// DeviceByToken returns the device a token's hash belongs to, revoked
	// or not. ENOTFOUND if none.
	DeviceByToken(ctx context.Context, tokenHash []byte) (*Device, error)
	// Devices lists every device, newest first.
	Devices(ctx context.Context) ([]*Device, error)
	// RevokeDevice revokes a device from time at on. ENOTFOUND if none.
	RevokeDevice(ctx context.Context, id int64, at time.Time) error
}

// ErasureStore erases responses when a resident asks, and remembers that
// it did, so that a tablet re-sending an erased interview is refused.
type ErasureStore interface {
	// EraseResponse deletes the response with the given id and its resume
	// codes, leaving a tombstone with the time. ENOTFOUND if there is none.
	EraseResponse(ctx context.Context, id string, at time.Time) error
	// Erased reports whether the response with the given id was erased.
	Erased(ctx context.Context, id string) (bool, error)
}

// NewDeviceToken returns a new device token (256 random bits, URL-safe)
// and the hash the store keeps.
func NewDeviceToken() (token string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashDeviceToken(token)
}

// HashDeviceToken is what the store keeps instead of a device token.
func HashDeviceToken(token string) []byte {
	sum := sha256.Sum256([]byte("budgetgrid device token\x00" + token))
	return sum[:]
}
