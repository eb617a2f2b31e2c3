package console

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/text/language"

	"github.com/crossguard/crossguard/watchlist"
)

// TestEveryMessageIsTranslated: each message the templates and handlers
// use, and each value they translate by prefix (categories, actions,
// outcomes, finding codes …), is in the English, Chinese and Vietnamese
// catalogues, and the three hold the same messages.
func TestEveryMessageIsTranslated(t *testing.T) {
	tr, err := newTranslator()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	literal := regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)
	goLiteral := regexp.MustCompile(`(?:p\.T|newPage\(ctx,) ?\(?"((?:[^"\\]|\\.)*)"`)
	files, _ := filepath.Glob("templates/*.html")
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, goFiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := literal
		if filepath.Ext(f) == ".go" {
			re = goLiteral
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, n := range nav {
		used[n.label] = true
	}
	for _, c := range watchlist.Categories() {
		used["category."+string(c)] = true
	}
	for _, v := range []string{"stop", "refer", "report"} {
		used["action."+v] = true
	}
	for _, v := range []string{"clear", "refer", "stop"} {
		used["verdict."+v], used["verdict."+v+".say"] = true, true
	}
	for _, v := range []string{watchlist.DetailPending, watchlist.DetailApproved, watchlist.DetailRefused} {
		used["details."+v] = true
	}
	for _, v := range append(append([]string{"status.active", "status.closed", "direction.entry", "direction.exit"}, prefixed("outcome.", outcomes)...),
		prefixed("relation.", []string{"parent", "guardian", "relative", "other"})...) {
		used[v] = true
	}
	for _, r := range watchlist.Roles {
		used[string(r)] = true
	}
	rules, err := os.ReadFile("../../watchlist/rules.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`Code: "([A-Z_]+)"`).FindAllStringSubmatch(string(rules), -1) {
		used["finding."+m[1]] = true
	}
	if len(used) < 150 {
		t.Fatalf("only %d messages found: the scan is broken", len(used))
	}
	for _, tag := range languages {
		for id := range used {
			if !tr.ids[tag][id] {
				t.Errorf("%s: no translation of %q", tag, id)
			}
		}
		for id := range tr.ids[language.English] {
			if !tr.ids[tag][id] {
				t.Errorf("%s lacks %q, which English has", tag, id)
			}
		}
	}
	// Plural forms come from the catalogue.
	en := tr.printer(language.English)
	if got := en.Sprintf("The audit chain is intact: %d entries.", 1); got != "The audit chain is intact: 1 entry." {
		t.Errorf("English singular: %q", got)
	}
	if got := en.Sprintf("The audit chain is intact: %d entries.", 3); got != "The audit chain is intact: 3 entries." {
		t.Errorf("English plural: %q", got)
	}
	if got := tr.printer(language.SimplifiedChinese).Sprintf("verdict.stop"); got != "拦截" {
		t.Errorf("Chinese: %q", got)
	}
}

func prefixed(prefix string, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = prefix + v
	}
	return out
}

// TestLanguageMatching: a region or script variant finds its language;
// an unknown language falls back to English.
func TestLanguageMatching(t *testing.T) {
	tr, err := newTranslator()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		chosen, accept string
		want           language.Tag
	}{
		{"", "zh-CN", language.SimplifiedChinese},
		{"", "zh-Hans-SG,en;q=0.5", language.SimplifiedChinese},
		{"", "vi-VN,vi;q=0.9", language.Vietnamese},
		{"", "fr-FR", language.English},
		{"vi", "zh-CN", language.Vietnamese},
		{"klingon!", "zh-CN", language.SimplifiedChinese},
	} {
		if got := tr.match(c.chosen, c.accept); got != c.want {
			t.Errorf("match(%q, %q) = %s, want %s", c.chosen, c.accept, got, c.want)
		}
	}
}
