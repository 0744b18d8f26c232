package limits

import "testing"

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

func TestSizeFlag(t *testing.T) {
	var s Size
	if err := s.Set("10M"); err != nil || s != 10<<20 || s.String() != "10485760" {
		t.Errorf("Set(10M): %v, %d %q", err, s, s.String())
	}
	if err := s.Set("ten"); err == nil {
		t.Errorf("Set(ten): no error")
	}
}
