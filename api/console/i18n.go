package console

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The console's languages: English, Simplified Chinese and Vietnamese,
// the first the fallback.
var languages = []language.Tag{language.English, language.SimplifiedChinese, language.Vietnamese}

//go:embed locales/*.json
var localeFiles embed.FS

// localeFile is one language's messages, in the JSON layout of gotext
// (golang.org/x/text/cmd/gotext): each message's ID is its English text;
// a translation is a string, or plural forms {"one": …, "other": …}.
type localeFile struct {
	Language string `json:"language"`
	Messages []struct {
		ID          string          `json:"id"`
		Translation json.RawMessage `json:"translation"`
	} `json:"messages"`
}

// translator formats messages in the language of a request.
type translator struct {
	cat     *catalog.Builder
	matcher language.Matcher
	// ids are the message IDs of each language (the tests check that
	// every language has every message).
	ids map[language.Tag]map[string]bool
}

func newTranslator() (*translator, error) {
	t := &translator{cat: catalog.NewBuilder(catalog.Fallback(language.English)), matcher: language.NewMatcher(languages),
		ids: map[language.Tag]map[string]bool{}}
	files, err := fs.Glob(localeFiles, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := localeFiles.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var lf localeFile
		if err := json.Unmarshal(b, &lf); err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(f), err)
		}
		tag, err := language.Parse(lf.Language)
		if err != nil {
			return nil, fmt.Errorf("%s: language: %w", path.Base(f), err)
		}
		t.ids[tag] = map[string]bool{}
		for _, m := range lf.Messages {
			if err := t.add(tag, m.ID, m.Translation); err != nil {
				return nil, fmt.Errorf("%s: message %q: %w", path.Base(f), m.ID, err)
			}
			t.ids[tag][m.ID] = true
		}
	}
	return t, nil
}

func (t *translator) add(tag language.Tag, id string, raw json.RawMessage) error {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return t.cat.SetString(tag, id, s)
	}
	var forms struct{ One, Other string }
	if err := json.Unmarshal(raw, &forms); err != nil || forms.Other == "" {
		return fmt.Errorf("a translation is a string or {\"one\": …, \"other\": …}")
	}
	if forms.One == "" {
		forms.One = forms.Other
	}
	return t.cat.Set(tag, id, plural.Selectf(1, "%d", plural.One, forms.One, plural.Other, forms.Other))
}

// match picks the language of a request: the one the user chose, else
// the best of the browser's Accept-Language.
func (t *translator) match(chosen, acceptLanguage string) language.Tag {
	if chosen != "" {
		if tag, err := language.Parse(chosen); err == nil {
			if _, i, c := t.matcher.Match(tag); c >= language.High {
				return languages[i]
			}
		}
	}
	prefs, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, _ := t.matcher.Match(prefs...)
	return languages[i]
}

func (t *translator) printer(tag language.Tag) *message.Printer {
	return message.NewPrinter(tag, message.Catalog(t.cat))
}

// langName is how each language names itself in the switcher.
func langName(tag language.Tag) string {
	switch tag {
	case language.SimplifiedChinese:
		return "简体中文"
	case language.Vietnamese:
		return "Tiếng Việt"
	}
	return "English"
}

// langCode is a language's code in a URL (?lang=zh-Hans).
func langCode(tag language.Tag) string { return strings.TrimSpace(tag.String()) }
