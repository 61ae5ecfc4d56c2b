package main

import (
	"context"
	"errors"
)

func runResponsesImport(ctx context.Context, args []string, env Env) error {
	return errors.New("responses import: not built yet")
}

func runResponsesSimulate(ctx context.Context, args []string, env Env) error {
	return errors.New("responses simulate: not built yet")
}

func runAnalyse(ctx context.Context, args []string, env Env) error {
	return errors.New("analyse: not built yet")
}
