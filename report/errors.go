package report

import "errors"

// ErrUnknownInput is returned by Decode and ReadFile for JSON that is neither
// a lab report nor bench results.
var ErrUnknownInput = errors.New("report: not a lab report or bench results")

// ErrNewerVersion is returned by Decode and ReadFile for a lab report written
// by a newer scalelab, whose format this one does not know.
var ErrNewerVersion = errors.New("report: lab report from a newer scalelab")

// ErrNoInputs is returned by WriteHTML when there is nothing to render.
var ErrNoInputs = errors.New("report: no inputs")
