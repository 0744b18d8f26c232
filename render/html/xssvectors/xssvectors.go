// Package xssvectors reads the corpus of XSS vectors that the HTML page's
// tests load (render/html/testdata/xss-vectors.txt; its header says the
// format): the sanitizer's unit tests and the headless-browser test read
// it through this one reader.
package xssvectors

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Load reads the vectors of the file at path, one a line (blank lines and
// "#" comments skipped), with {URL} and {HOST} pointed at url and host and
// {TAB}, {LF}, {CR} and {NUL} made the bytes they name.
func Load(path, url, host string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := strings.NewReplacer("{URL}", url, "{HOST}", host, "{TAB}", "\t", "{LF}", "\n", "{CR}", "\r", "{NUL}", "\x00")
	var vs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			vs = append(vs, r.Replace(l))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vs, nil
}
