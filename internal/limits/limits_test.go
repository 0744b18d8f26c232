package limits

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"1": 1, "512K": 512 << 10, "10M": 10 << 20, "2G": 2 << 30} {
		if got, err := ParseSize("as", in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1T", "M", "1.5G", "99999999999999999999G"} {
		if _, err := ParseSize("as", in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
}

func TestSetAndMerge(t *testing.T) {
	var l Limits
	for k, v := range map[string]string{"cpu": "60", "procs": "64", "nofile": "256", "fsize": "10M", "as": "2G"} {
		if ok, err := l.Set(k, v); !ok || err != nil {
			t.Fatalf("Set(%s, %s) = %v, %v", k, v, ok, err)
		}
	}
	if ok, _ := l.Set("timeout", "3s"); ok {
		t.Errorf("Set(timeout) claims a limit")
	}
	want := Limits{CPUSeconds: 60, Processes: 64, OpenFiles: 256, FileSize: 10 << 20, AddressSpace: 2 << 30}
	if l != want {
		t.Errorf("Set gave %+v, want %+v", l, want)
	}
	got := Default().Merge(Limits{OpenFiles: 3}).Merge(Limits{CPUSeconds: 1})
	if got.OpenFiles != 3 || got.CPUSeconds != 1 || got.Processes != Default().Processes {
		t.Errorf("Merge: %+v", got)
	}
}

func TestFlag(t *testing.T) {
	var v uint64
	f := Flag{Key: "fsize", V: &v}
	if err := f.Set("10M"); err != nil || v != 10<<20 || f.String() != "10485760" {
		t.Errorf("Set(10M): %v, %d %q", err, v, f.String())
	}
	if err := f.Set("ten"); err == nil || err.Error() != "want a size such as 512K, 10M or 2G" {
		t.Errorf("Set(ten): %v", err)
	}
	if err := f.Set("unlimited"); err != nil || v != Unlimited || f.String() != "unlimited" {
		t.Errorf("Set(unlimited): %v, %d %q", err, v, f.String())
	}
	if err := (Flag{Key: "nofile", V: &v}).Set("unlimited"); !errors.Is(err, ErrNofileUnlimited) {
		t.Errorf("nofile Set(unlimited): %v", err)
	}
}

// TestUnlimited: "unlimited" is a value of cpu, fsize and as that a
// lower level's limit gives way to and that no rlimit applies; nofile
// and procs refuse it.
func TestUnlimited(t *testing.T) {
	var l Limits
	for _, k := range []string{"cpu", "fsize", "as"} {
		if ok, err := l.Set(k, "unlimited"); !ok || err != nil {
			t.Fatalf("Set(%s, unlimited) = %v, %v", k, ok, err)
		}
	}
	got := Default().Merge(l)
	if got.CPUSeconds != Unlimited || got.FileSize != Unlimited || got.AddressSpace != Unlimited || got.OpenFiles != Default().OpenFiles {
		t.Errorf("Merge: %+v", got)
	}
	if Set(got.CPUSeconds) || !Set(got.OpenFiles) || Set(0) {
		t.Errorf("Set: unlimited or 0 counted as applied, or a number not")
	}
	if s := got.String(); s != "cpu=unlimited as=unlimited procs=1024 fsize=unlimited nofile=4096" {
		t.Errorf("String() = %q", s)
	}
	if _, err := l.Set("nofile", "unlimited"); !errors.Is(err, ErrNofileUnlimited) || !strings.HasPrefix(err.Error(), "nofile=unlimited: the kernel caps") {
		t.Errorf("nofile=unlimited: %v", err)
	}
	if _, err := l.Set("procs", "unlimited"); err == nil {
		t.Errorf("procs=unlimited: no error")
	}
	if _, err := ParseCount("cpu", "18446744073709551615"); err == nil {
		t.Errorf("ParseCount took Unlimited's number")
	}
}
