package check

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/labrun/labrun/lessons"
)

// For a cell whose normalized fresh outputs differ between the runs of
// --runs, propose proposes the smallest check rule under which they
// agree, tried in this order:
//
//  1. any-order, when only the order of lines varies;
//  2. normalize /REGEX/REPLACEMENT/ masking exactly the tokens that vary:
//     the runs' lines aligned token by token, each run of varying tokens
//     (with the single marks between them: "12:30") is matched by a
//     character class made from what they hold (digits only: [0-9]+)
//     after the fixed text that precedes it on its line (back to a word,
//     or the line's start);
//  3. ignore-output, when nothing smaller does.
//
// Each rule is applied with check's own normalizer (Normalize, after the
// lesson's rules and the cell's) to every run's output before it is
// proposed: all of them must then agree.
//
// For a cell whose runs agree and each failed against its record,
// proposeOrder proposes any-order when that alone makes every run pass
// (its record holds the same lines in another order), and nothing else:
// a normalize rule or ignore-output derived from the record alone would
// hide what a regression looks like.

// RuleKind says which check rule a Rule is.
type RuleKind int

// The rules propose proposes.
const (
	RuleAnyOrder RuleKind = iota
	RuleNormalize
	RuleIgnoreOutput
)

// Rule is a check rule proposed for a flaky cell.
type Rule struct {
	Kind RuleKind
	// Re and Repl are a normalize rule's.
	Re, Repl string
}

// Text is the rule as a directive writes it: "any-order",
// "normalize /RE/REPL/", "ignore-output".
func (r *Rule) Text() string {
	switch r.Kind {
	case RuleAnyOrder:
		return "any-order"
	case RuleNormalize:
		d := delimiter(r.Re + r.Repl)
		return "normalize " + d + r.Re + d + r.Repl + d
	}
	return "ignore-output"
}

// Comment is the rule's HTML comment: "<!-- labrun: any-order -->".
func (r *Rule) Comment() string { return "<!-- labrun: " + r.Text() + " -->" }

// on returns a cell's rules with r added.
func (r *Rule) on(rules lessons.CellRules) lessons.CellRules {
	switch r.Kind {
	case RuleAnyOrder:
		rules.AnyOrder = true
	case RuleNormalize:
		rules.Normalize = append(slices.Clip(rules.Normalize), lessons.Normalize{Re: regexp.MustCompile(r.Re), Repl: r.Repl})
	case RuleIgnoreOutput:
		rules.IgnoreOutput = true
	}
	return rules
}

// delimiter picks the first delimiter the text does not hold.
func delimiter(text string) string {
	for _, d := range []string{"/", "|", "#", "%", "@", "!", ",", ";", "~"} {
		if !strings.Contains(text, d) {
			return d
		}
	}
	return "\x01" // never: a proposed rule holds few punctuation marks
}

// propose proposes the rule for cell c, whose runs (c's first) printed
// different normalized outputs. A normalize rule is derived from the
// runs and the cell's record first (the record is one more sample of
// what the cell prints: a rule that makes it agree too lets the cell
// pass), from the runs alone when that finds none.
func (rep *Report) propose(c *CellReport, runs []*CellReport) *Rule {
	var rules lessons.CellRules
	if rep.rec != nil && rep.rec.Lesson != nil && c.Index < len(rep.rec.Lesson.Cells) {
		rules = rep.rec.Lesson.Cells[c.Index].Rules
	}
	// agree says whether the samples agree under r: the runs, and the
	// record too when withRecord.
	agree := func(r *Rule, withRecord bool) bool {
		cand := r.on(rules)
		first := normalizedWith(runs[0], rep.lessonRules, &cand, false)
		for _, x := range runs[1:] {
			if !slices.Equal(first, normalizedWith(x, rep.lessonRules, &cand, false)) {
				return false
			}
		}
		return !withRecord || slices.Equal(first, normalizedWith(c, rep.lessonRules, &cand, true))
	}
	if r := (&Rule{Kind: RuleAnyOrder}); !rules.AnyOrder && agree(r, false) {
		return r
	}
	var lines [][]string
	for _, x := range runs {
		lines = append(lines, freshLines(x))
	}
	for _, withRecord := range []bool{true, false} {
		samples := lines
		if withRecord {
			samples = append(slices.Clip(lines), recordedLines(c))
		}
		if re, repl, ok := maskVarying(samples); ok {
			if r := (&Rule{Kind: RuleNormalize, Re: re, Repl: repl}); agree(r, withRecord) {
				return r
			}
		}
	}
	return &Rule{Kind: RuleIgnoreOutput}
}

// proposeOrder proposes any-order for cell c, whose runs (c's first)
// agree and each failed against its record, when under it the cell
// passes in every run, as compareCell judges it: its record holds the
// same normalized lines in another order (its outputs block's, and each
// console command's), and nothing else failed. nil otherwise, and for a
// cell that has any-order already.
func (rep *Report) proposeOrder(c *CellReport, runs []*CellReport) *Rule {
	if rep.rec == nil || rep.rec.Lesson == nil || c.Index >= len(rep.rec.Lesson.Cells) {
		return nil
	}
	rec := *rep.rec.Lesson.Cells[c.Index]
	if rec.Index != c.Index || rec.Rules.AnyOrder {
		return nil
	}
	r := &Rule{Kind: RuleAnyOrder}
	rec.Rules = r.on(rec.Rules)
	for _, x := range runs {
		if x.Result == nil || rep.compareCell(&rec, x.Result).Verdict != Pass {
			return nil
		}
	}
	return r
}

// recordedLines are freshLines's lines of a cell's record.
func recordedLines(c *CellReport) []string {
	lines := slices.Clone(c.Recorded)
	for i, k := range c.Commands {
		lines = append(lines, commandLine(i, k))
		lines = append(lines, k.Recorded...)
	}
	return lines
}

// normalizedWith is what freshLines gives for a cell's run (or, with
// recorded, recordedLines for its record), normalized under rules
// instead of the cell's own.
func normalizedWith(c *CellReport, lesson []lessons.Normalize, rules *lessons.CellRules, recorded bool) []string {
	raw := func(fresh, rec string) string {
		if recorded {
			return rec
		}
		return fresh
	}
	lines := Normalize(raw(c.RawFresh, c.RawRecorded), lesson, rules)
	for i, k := range c.Commands {
		lines = append(lines, commandLine(i, k))
		lines = append(lines, Normalize(raw(k.RawFresh, k.RawRecorded), lesson, rules)...)
	}
	return lines
}

// token splits a line into words (letters, digits, "_", and dots between
// them: "0.25", "a.out"), the placeholders of the built-in normalizers
// ("<PID>", "<H>"), runs of blanks and single other characters.
var token = regexp.MustCompile(`<[A-Z?]+>|[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*|\s+|.`)

// base64Token is token with base64's "+", "/" and "=" (RFC 4648,
// section 4) taken into words: the runs' lines are split so when they
// do not align under token, as random base64 text does not, since
// each run holds another number of those marks.
var base64Token = regexp.MustCompile(`<[A-Z?]+>|[A-Za-z0-9_+/=]+(?:\.[A-Za-z0-9_+/=]+)*|\s+|.`)

// isWord says whether a token is a word or a placeholder.
func isWord(tok string) bool {
	r := rune(tok[0])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || len(tok) > 2 && r == '<'
}

// varyingSpan is a run of tokens that vary between the samples, on one
// line: its text in each sample, with the letters all of them begin and
// end with (prefix, suffix: "run" of run1, run2; "user" of 0.01user)
// taken out of what varies.
type varyingSpan struct {
	first, end     int // its tokens, [first, end)
	prefix, suffix string
	middles        []string // what varies, in each sample
}

// maskVarying derives a normalize rule masking the tokens that vary
// between samples (each a run's lines); ok is false when the samples'
// lines do not align (another number of lines, or of tokens on a line,
// split by token and then by base64Token) or none varies.
func maskVarying(samples [][]string) (re, repl string, ok bool) {
	if re, repl, ok = maskVaryingTokens(samples, token); ok {
		return re, repl, ok
	}
	return maskVaryingTokens(samples, base64Token)
}

// maskVaryingTokens is maskVarying with the lines split by tokens.
func maskVaryingTokens(samples [][]string, tokens *regexp.Regexp) (re, repl string, ok bool) {
	contexts := map[string]bool{}
	var middles []string
	for j := range samples[0] {
		var toks [][]string
		for _, r := range samples {
			if len(r) != len(samples[0]) {
				return "", "", false
			}
			toks = append(toks, tokens.FindAllString(r[j], -1))
			if len(toks[len(toks)-1]) != len(toks[0]) {
				return "", "", false
			}
		}
		spans := varyingSpans(toks)
		for i, sp := range spans {
			var prev *varyingSpan
			if i > 0 {
				prev = &spans[i-1]
			}
			contexts[leftContext(toks[0], prev, sp)] = true
			middles = append(middles, sp.middles...)
		}
	}
	if len(contexts) == 0 {
		return "", "", false
	}
	class, digits := charClass(middles)
	alts := make([]string, 0, len(contexts))
	for c := range contexts {
		alts = append(alts, c)
	}
	sort.Strings(alts)
	repl = "${1}<V>"
	if digits {
		repl = "${1}<N>"
	}
	return "(" + strings.Join(alts, "|") + ")" + class, repl, true
}

// varyingSpans finds the spans of a line's tokens (toks[i] are sample
// i's) that vary: varying tokens, and a single mark between two
// ("12:30").
func varyingSpans(toks [][]string) []varyingSpan {
	vary := make([]bool, len(toks[0]))
	for p := range vary {
		for _, t := range toks[1:] {
			vary[p] = vary[p] || t[p] != toks[0][p]
		}
	}
	var spans []varyingSpan
	for p := 0; p < len(vary); p++ {
		if !vary[p] {
			continue
		}
		q := p
		for q < len(vary) && (vary[q] || q+1 < len(vary) && vary[q+1] && isMark(toks[0][q])) {
			q++
		}
		sp := varyingSpan{first: p, end: q}
		var values []string
		for _, t := range toks {
			values = append(values, strings.Join(t[p:q], ""))
		}
		sp.prefix, sp.suffix, sp.middles = fixedLetters(values)
		spans = append(spans, sp)
		p = q
	}
	return spans
}

// fixedLetters splits values into the letters all of them begin with,
// those all of them end with, and what is left of each; letters are
// taken out only where what is left begins (ends) otherwise than with a
// letter, so that a word is never cut.
func fixedLetters(values []string) (prefix, suffix string, middles []string) {
	lead := func(s string) string { return s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsLetter))] }
	trail := func(s string) string { return s[len(strings.TrimRightFunc(s, unicode.IsLetter)):] }
	prefix, suffix = lead(values[0]), trail(values[0])
	for _, v := range values {
		if lead(v) != prefix {
			prefix = ""
		}
		if trail(v) != suffix {
			suffix = ""
		}
	}
	for _, v := range values {
		m := strings.TrimSuffix(strings.TrimPrefix(v, prefix), suffix)
		if m == "" || len(prefix)+len(suffix) >= len(v) {
			return "", "", values
		}
		middles = append(middles, m)
	}
	return prefix, suffix, middles
}

// isMark says whether a token is one punctuation mark.
func isMark(tok string) bool {
	return len(tok) == 1 && unicode.IsPunct(rune(tok[0]))
}

// leftContext is the fixed text before span sp, as a regular
// expression: back to a word (included), the fixed suffix of the span
// before (prev, nil for none) or the line's start ("^"), then sp's
// prefix.
func leftContext(toks []string, prev *varyingSpan, sp varyingSpan) string {
	var ctx []string
	k := sp.first - 1
	stop := -1
	if prev != nil {
		stop = prev.end - 1
	}
	for ; k > stop; k-- {
		ctx = append([]string{toks[k]}, ctx...)
		if isWord(toks[k]) {
			break
		}
	}
	re := quote(strings.Join(ctx, "") + sp.prefix)
	switch {
	case k < 0:
		re = "^" + re
	case k == stop && prev != nil:
		re = quote(prev.suffix) + re
	}
	return re
}

// quote quotes text for a regular expression, "-" too (so that a rule
// never holds "--", which would end its HTML comment early).
func quote(text string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(text), "-", `\-`)
}

// charClass is a character class matching every value, repeated
// ("[0-9]+", "[0-9a-f]+", "[0-9A-Za-z:]+"); digits says it holds digits
// only. Values that mix digits with letters of both cases are taken
// for base64 (RFC 4648, section 4): their class is its alphabet, "+",
// "/" and the padding "=" with it, which a few samples of random bytes
// may not show but a later run will.
func charClass(values []string) (class string, digits bool) {
	var hasDigit, hexLower, lower, hexUpper, upper, blank bool
	others := map[rune]bool{}
	for _, v := range values {
		for _, r := range v {
			switch {
			case '0' <= r && r <= '9':
				hasDigit = true
			case 'a' <= r && r <= 'f':
				hexLower = true
			case 'a' <= r && r <= 'z':
				lower = true
			case 'A' <= r && r <= 'F':
				hexUpper = true
			case 'A' <= r && r <= 'Z':
				upper = true
			case unicode.IsSpace(r):
				blank = true
			default:
				others[r] = true
			}
		}
	}
	var b strings.Builder
	if hasDigit {
		b.WriteString("0-9")
	}
	switch {
	case upper:
		b.WriteString("A-Z")
	case hexUpper:
		b.WriteString("A-F")
	}
	switch {
	case lower:
		b.WriteString("a-z")
	case hexLower:
		b.WriteString("a-f")
	}
	if blank {
		b.WriteString(`\s`)
	}
	if hasDigit && (upper || hexUpper) && (lower || hexLower) {
		for _, r := range "+/=" {
			others[r] = true
		}
	}
	rs := make([]rune, 0, len(others))
	for r := range others {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	for _, r := range rs {
		if r < 0x80 {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return "[" + b.String() + "]+", b.String() == "0-9"
}
