package content

import (
	"bytes"
	"fmt"
	"sort"

	yaml "go.yaml.in/yaml/v3"
)

// storyFrontMatter is the written form of a story's front matter, in the
// order an editor expects to read it.
type storyFrontMatter struct {
	Title       string            `yaml:"title"`
	Kicker      string            `yaml:"kicker,omitempty"`
	Subtitle    string            `yaml:"subtitle,omitempty"`
	Credit      string            `yaml:"credit,omitempty"`
	Date        string            `yaml:"date"`
	Edition     string            `yaml:"edition,omitempty"`
	Slug        string            `yaml:"slug,omitempty"`
	Tags        []string          `yaml:"tags,omitempty,flow"`
	Draft       bool              `yaml:"draft,omitempty"`
	Summary     string            `yaml:"summary,omitempty"`
	Corrections []correctionEntry `yaml:"corrections,omitempty"`
}

type correctionEntry struct {
	Date string `yaml:"date"`
	Note string `yaml:"note"`
}

// MarshalStory writes a story as a Markdown file with YAML front matter.
// Unknown keys in Params are written after the known ones, sorted. ParseStory
// reads the result back to an equal story.
func MarshalStory(s *Story) ([]byte, error) {
	fm := storyFrontMatter{
		Title: s.Title, Kicker: s.Kicker, Subtitle: s.Subtitle, Credit: s.Credit,
		Edition: s.Edition, Slug: s.Slug, Tags: s.Tags, Draft: s.Draft, Summary: s.Summary,
	}
	if !s.Date.IsZero() {
		fm.Date = formatDate(s.Date)
	}
	for _, c := range s.Corrections {
		fm.Corrections = append(fm.Corrections, correctionEntry{Date: c.Date.Format(DateLayout), Note: c.Note})
	}
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return nil, fmt.Errorf("writing front matter of %s: %w", s.Slug, err)
	}
	if len(s.Params) > 0 {
		keys := make([]string, 0, len(s.Params))
		for k := range s.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := enc.Encode(map[string]any{k: s.Params[k]}); err != nil {
				return nil, fmt.Errorf("writing front matter key %s: %w", k, err)
			}
		}
	}
	enc.Close()
	// The encoder separates documents with "---"; params must stay in one.
	out := bytes.ReplaceAll(buf.Bytes()[4:], []byte("\n---\n"), []byte("\n"))
	body, err := s.LoadBody()
	if err != nil {
		return nil, err
	}
	buf2 := bytes.NewBuffer(make([]byte, 0, len(out)+len(body)+16))
	buf2.WriteString("---\n")
	buf2.Write(out)
	buf2.WriteString("---\n\n")
	body = bytes.TrimLeft(body, "\n")
	buf2.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		buf2.WriteByte('\n')
	}
	return buf2.Bytes(), nil
}

func formatDate(t interface{ Format(string) string }) string {
	s := t.Format("2006-01-02T15:04:05-07:00")
	if len(s) >= 19 && s[11:19] == "00:00:00" && s[19:] == "+08:00" {
		return s[:10]
	}
	return s
}

// MarshalEdition writes an edition file.
func MarshalEdition(e *Edition) ([]byte, error) {
	f := editionFile{
		Date: e.DateString(), Page: e.Page, Title: e.Title, Note: e.Note,
		Masthead: e.Masthead, Items: e.Items, Geometry: e.Geometry, Layout: e.Layout,
	}
	return marshalYAML(f, "edition "+f.Date)
}

// MarshalBox writes a box file.
func MarshalBox(b *Box) ([]byte, error) { return marshalYAML(b, "box "+b.ID) }

func marshalYAML(v any, what string) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("writing %s: %w", what, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", what, err)
	}
	return buf.Bytes(), nil
}
