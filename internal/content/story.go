package content

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// firstInvalid is the offset of the first invalid UTF-8 sequence in b.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// knownKeys are the front matter keys banmian gives meaning to; any other
// key is kept in Story.Params.
var knownKeys = map[string]bool{
	"title": true, "kicker": true, "subtitle": true, "credit": true,
	"date": true, "edition": true, "tags": true, "slug": true,
	"draft": true, "summary": true, "corrections": true,
}

// ParseStory parses one story file. path is used in errors and as
// Story.Path. It returns every problem it finds in the file.
func ParseStory(path string, src []byte) (*Story, ErrorList) {
	var errs ErrorList
	if !utf8.Valid(src) {
		line := 1 + bytes.Count(src[:firstInvalid(src)], []byte("\n"))
		errs.add(path, line, "the file is not UTF-8 text (save it as UTF-8)")
		return nil, errs
	}
	fm, format, body, fmLine, bodyLine, err := SplitFrontMatter(src)
	if err != nil {
		errs.add(path, 1, "%v", err)
		return nil, errs
	}
	if format == NoFrontMatter {
		errs.add(path, 1, "no front matter: a story starts with a \"---\" block holding at least title and date")
		return nil, errs
	}
	m, line, err := decodeFrontMatter(fm, format, fmLine)
	if err != nil {
		errs = append(errs, &FileError{File: path, Line: line, Msg: err.Error(), Err: err})
		return nil, errs
	}
	if err := CheckBody(body); err != nil {
		errs = append(errs, &FileError{File: path, Line: bodyLine, Msg: err.Error(), Err: err})
		return nil, errs
	}
	s := &Story{Path: path, Body: body, BodyLine: bodyLine}
	at := func(key string) int { return keyLine(fm, fmLine, key) }
	str := func(key string) string {
		v, ok := m[key]
		if !ok || v == nil {
			return ""
		}
		switch v := v.(type) {
		case string:
			return strings.TrimSpace(v)
		case int, int64, float64, bool:
			return fmt.Sprint(v)
		}
		errs.add(path, at(key), "%s must be text, not %T", key, v)
		return ""
	}
	s.Title = str("title")
	s.Kicker = str("kicker")
	s.Subtitle = str("subtitle")
	s.Credit = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(str("credit"), "供稿")), " ")
	s.Slug = str("slug")
	s.Summary = str("summary")
	if s.Title == "" {
		errs.add(path, at("title"), "missing title (主题): every story needs a headline")
	}
	if v, ok := m["date"]; !ok || v == nil || v == "" {
		errs.add(path, at("date"), "missing date: every story needs one (YYYY-MM-DD)")
	} else if t, err := parseDate(v); err != nil {
		errs.add(path, at("date"), "bad date: %v", err)
	} else {
		s.Date = t
	}
	if v, ok := m["edition"]; ok && v != nil && v != "" {
		if t, err := parseDate(v); err != nil {
			errs.add(path, at("edition"), "bad edition date: %v", err)
		} else {
			s.Edition = t.Format(DateLayout)
		}
	}
	if v, ok := m["draft"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			errs.add(path, at("draft"), "draft must be true or false, not %v", v)
		}
		s.Draft = b
	}
	if v, ok := m["tags"]; ok && v != nil {
		tags, err := stringList(v)
		if err != nil {
			errs.add(path, at("tags"), "tags: %v", err)
		}
		s.Tags = dedupe(tags)
		if len(s.Tags) < len(tags) {
			s.Warnings = append(s.Warnings, &FileError{File: path, Line: at("tags"), Msg: "a tag is listed more than once; it is kept once"})
		}
	}
	if v, ok := m["corrections"]; ok && v != nil {
		list, isList := v.([]any)
		if !isList {
			errs.add(path, at("corrections"), "corrections must be a list of {date, note}")
		}
		for _, it := range list {
			cm, _ := it.(map[string]any)
			d, err := parseDate(cm["date"])
			note, _ := cm["note"].(string)
			if cm == nil || err != nil || strings.TrimSpace(note) == "" {
				errs.add(path, at("corrections"), "each correction needs a date (YYYY-MM-DD) and a note")
				continue
			}
			s.Corrections = append(s.Corrections, Correction{Date: d, Note: strings.TrimSpace(note)})
		}
	}
	if s.Slug != "" && !ValidSlug(s.Slug) {
		errs.add(path, at("slug"), "slug %q must be lower-case ASCII letters, digits and hyphens", s.Slug)
	}
	for k, v := range m {
		if !knownKeys[k] {
			if s.Params == nil {
				s.Params = map[string]any{}
			}
			s.Params[k] = v
		}
	}
	if len(errs) > 0 {
		return s, errs
	}
	return s, nil
}

// dedupe drops repeated entries of list, keeping the first of each.
func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0:0]
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		return []string{strings.TrimSpace(v)}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				s = fmt.Sprint(x)
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	case []string:
		return v, nil
	}
	return nil, fmt.Errorf("must be a list of text, not %T", v)
}

var dateLayouts = []string{
	DateLayout,
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05 -0700",
}

// shanghai is the paper's time zone; dates without a zone are read in it.
var shanghai = Newsroom

// ParseDate reads a date as written in front matter or an edition file.
func ParseDate(s string) (time.Time, error) { return parseDate(s) }

func parseDate(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		if v.Location() == time.UTC && v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 {
			return time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, shanghai), nil
		}
		switch v.Location().String() {
		case "date-local", "datetime-local":
			// TOML's local dates and times carry no zone: newsroom time.
			return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), shanghai), nil
		}
		// A time with its own offset is the same instant, shown as the
		// newsroom sees it.
		return v.In(shanghai), nil
	case string:
		s := strings.TrimSpace(v)
		for _, l := range dateLayouts {
			if t, err := time.ParseInLocation(l, s, shanghai); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a date like 2025-05-22", s)
	case nil:
		return time.Time{}, fmt.Errorf("no date")
	}
	// TOML local dates and other types print as a parseable string.
	return parseDate(fmt.Sprint(v))
}

// sortStories orders stories newest first, then by slug.
func sortStories(ss []*Story) {
	sort.SliceStable(ss, func(i, j int) bool {
		if !ss[i].Date.Equal(ss[j].Date) {
			return ss[i].Date.After(ss[j].Date)
		}
		return ss[i].Slug < ss[j].Slug
	})
}
