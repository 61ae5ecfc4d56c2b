package storetest

import "context"

// contextWithCancel returns a cancellable context.
func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}
