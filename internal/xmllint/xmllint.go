// Package xmllint validates XML documents against an XML Schema with
// libxml2's xmllint (Debian's libxml2-utils), for the tests of labrun's
// JUnit reports: a real schema validator, not rules restated in Go.
package xmllint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/proc"
)

// Program is the validator's name on PATH.
const Program = "xmllint"

// Statuses of "xmllint --noout --schema" (xmllint's own xmllintReturnCode).
const (
	statusInvalid       = 3 // the document does not validate
	statusSchemaInvalid = 5 // the schema itself could not be read
)

// Require returns the path of xmllint. When it is missing the test is
// skipped with a message saying how to install it, unless CI is set:
// then a missing validator fails the test (CI installs it, .ci/run).
func Require(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath(Program)
	if err == nil {
		return path
	}
	msg := "xmllint not found (apt-get install libxml2-utils): the JUnit report is not validated against its schema"
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and %s", msg)
	} else {
		t.Skip(msg)
	}
	return ""
}

// Invalid is a document that does not validate: xmllint's report.
type Invalid struct {
	File   string
	Report string
}

func (e *Invalid) Error() string {
	return fmt.Sprintf("%s does not validate:\n%s", e.File, e.Report)
}

// Validate runs "xmllint --noout --schema SCHEMA FILE". It returns nil
// when FILE validates, an *Invalid when it does not, and another error
// when xmllint could not judge (the schema unreadable or not a schema,
// FILE unreadable, xmllint not run). It runs xmllint with proc.Run, so
// that a test process that reaps (one that runs lessons in-process) gets
// xmllint's status through its reaper.
func Validate(xmllint, schema, file string) error {
	var out bytes.Buffer
	cmd := exec.Command(xmllint, "--noout", "--schema", schema, file)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := proc.Run(context.Background(), cmd)
	report := strings.TrimRight(out.String(), "\n")
	var ee *proc.ExitError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &ee):
		return fmt.Errorf("%s: xmllint did not run: %w", file, err)
	case ee.Code == statusInvalid:
		return &Invalid{File: file, Report: report}
	case ee.Code == statusSchemaInvalid:
		return fmt.Errorf("%s: the schema could not be read (xmllint exit %d):\n%s", schema, ee.Code, report)
	}
	return fmt.Errorf("%s: xmllint exit %d:\n%s", file, ee.Code, report)
}

// IsInvalid says whether err is a document that did not validate.
func IsInvalid(err error) bool {
	var inv *Invalid
	return errors.As(err, &inv)
}
