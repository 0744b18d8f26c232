package xmllint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// judge records what Require asks of a test instead of doing it.
type judge struct {
	testing.TB
	skipped, failed string
}

func (j *judge) Skip(args ...any)                  { j.skipped = fmt.Sprint(args...) }
func (j *judge) Fatalf(format string, args ...any) { j.failed = fmt.Sprintf(format, args...) }

// TestRequireMissing: without xmllint a test is skipped with a clear
// message, but fails when CI is set.
func TestRequireMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "")
	j := &judge{TB: t}
	Require(j)
	if !strings.Contains(j.skipped, "apt-get install libxml2-utils") || j.failed != "" {
		t.Errorf("CI unset: skipped %q, failed %q", j.skipped, j.failed)
	}
	t.Setenv("CI", "true")
	j = &judge{TB: t}
	Require(j)
	if j.failed == "" || j.skipped != "" {
		t.Errorf("CI set: skipped %q, failed %q", j.skipped, j.failed)
	}
}

// TestValidate: a valid document, an invalid one, a broken schema.
func TestValidate(t *testing.T) {
	lint := Require(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xsd := write("s.xsd", `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:element name="a"><xs:complexType><xs:attribute name="n" type="xs:int" use="required"/></xs:complexType></xs:element>
</xs:schema>`)
	if err := Validate(lint, xsd, write("ok.xml", `<a n="1"/>`)); err != nil {
		t.Errorf("valid: %v", err)
	}
	err := Validate(lint, xsd, write("bad.xml", `<a n="one"/>`))
	if !IsInvalid(err) || !strings.Contains(err.Error(), "'one' is not a valid value") {
		t.Errorf("invalid: %v", err)
	}
	err = Validate(lint, write("no.xsd", `<x/>`), write("ok2.xml", `<a n="1"/>`))
	if err == nil || IsInvalid(err) || !strings.Contains(err.Error(), "schema could not be read") {
		t.Errorf("broken schema: %v", err)
	}
}
