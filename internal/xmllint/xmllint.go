// Package xmllint validates XML documents against an XML Schema with
// libxml2's xmllint (Debian's libxml2-utils), for the tests of labrun's
// JUnit reports: a real schema validator, not rules restated in Go.
package xmllint

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Program is the validator's name on PATH.
const Program = "xmllint"

// Statuses of "xmllint --noout --schema" (xmllint's own xmllintReturnCode).
const (
	statusValid         = 0
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
// FILE unreadable, xmllint not run).
//
// xmllint's exit status comes back through sh, which waits for it: a
// test process that ran a lesson in-process has labrun's reaper (a child
// subreaper reaping every child), which may collect xmllint's status
// before exec.Cmd.Wait asks for it (ECHILD).
func Validate(xmllint, schema, file string) error {
	const script = `"$0" --noout --schema "$1" "$2" 2>&1; echo "xmllint-status=$?"`
	out, _ := exec.Command("/bin/sh", "-c", script, xmllint, schema, file).Output()
	text := strings.TrimRight(string(out), "\n")
	report, last, _ := cutLast(text)
	status, ok := strings.CutPrefix(last, "xmllint-status=")
	code, err := strconv.Atoi(status)
	if !ok || err != nil {
		return fmt.Errorf("%s: xmllint did not run: %q", file, text)
	}
	switch code {
	case statusValid:
		return nil
	case statusInvalid:
		return &Invalid{File: file, Report: report}
	case statusSchemaInvalid:
		return fmt.Errorf("%s: the schema could not be read (xmllint exit %d):\n%s", schema, code, report)
	}
	return fmt.Errorf("%s: xmllint exit %d:\n%s", file, code, report)
}

// cutLast splits text before its last line.
func cutLast(text string) (before, last string, found bool) {
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		return "", text, false
	}
	return text[:i], text[i+1:], true
}

// IsInvalid says whether err is a document that did not validate.
func IsInvalid(err error) bool {
	var inv *Invalid
	return errors.As(err, &inv)
}
