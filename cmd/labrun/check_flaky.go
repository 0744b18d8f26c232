package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/check/report"
)

// flakyOptions are the flags of "labrun check" about flaky cells and the
// JUnit report's family.
type flakyOptions struct {
	rerunFails  int
	runs        int
	writeRules  bool
	failOnFlaky bool
	familyName  string
	family      report.Family
}

// addFlakyFlags registers the flags of flakyOptions.
func addFlakyFlags(fs *pflag.FlagSet, o *flakyOptions) {
	wholeNumberFlag(fs, &o.rerunFails, "rerun-fails", "", 0, "run a lesson with failing cells again, up to `N` times: a cell that then passes is flaky")
	wholeNumberFlag(fs, &o.runs, "runs", "", 1, "run each lesson `K` times: a cell whose outputs differ between runs is flaky, and a rule is proposed for it")
	fs.BoolVar(&o.writeRules, "write-rules", false, "with --runs: add the rules proposed for flaky cells to their lessons (atomically)")
	fs.BoolVar(&o.failOnFlaky, "fail-on-flaky", false, "exit 1 when a cell is flaky (flaky cells pass otherwise)")
	fs.StringVar(&o.familyName, "junit-family", "xunit2", "the JUnit report's `family`: xunit2 (Jenkins' schema) or xunit1 (file and line on each testcase)")
}

// take checks the flags of flakyOptions; update says --update was given.
func (o *flakyOptions) take(update bool) error {
	switch {
	case o.rerunFails < 0:
		return usageError(fmt.Sprintf("check: --rerun-fails %d: want 0 or more", o.rerunFails))
	case o.runs < 1:
		return usageError(fmt.Sprintf("check: --runs %d: want at least 1", o.runs))
	case update && o.rerunFails > 0:
		return usageError("check: --update and --rerun-fails do not go together (--update rewrites what a single run printed)")
	case update && o.runs > 1:
		return usageError("check: --update and --runs do not go together (--update rewrites what a single run printed)")
	case o.rerunFails > 0 && o.runs > 1:
		return usageError("check: --rerun-fails and --runs do not go together")
	case o.writeRules && o.runs < 2:
		return usageError("check: --write-rules goes with --runs K (K at least 2)")
	}
	f, err := report.ParseFamily(o.familyName)
	if err != nil {
		return usageError("check: --junit-family " + err.Error())
	}
	o.family = f
	return nil
}

// suite sets the suite's flaky-cell options.
func (o *flakyOptions) suite(s check.Suite) check.Suite {
	s.RerunFails, s.Runs, s.WriteRules, s.FailOnFlaky = o.rerunFails, o.runs, o.writeRules, o.failOnFlaky
	return s
}
