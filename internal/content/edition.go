package content

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// editionFile is the on-disk form of an edition.
type editionFile struct {
	Date     string    `yaml:"date"`
	Page     int       `yaml:"page"`
	Title    string    `yaml:"title,omitempty"`
	Note     string    `yaml:"note,omitempty"`
	Masthead Masthead  `yaml:"masthead,omitempty"`
	Items    []Item    `yaml:"items"`
	Geometry *Geometry `yaml:"geometry,omitempty"`
	Layout   []Module  `yaml:"layout,omitempty"`
}

// ParseEdition parses one edition file (YAML).
func ParseEdition(path string, src []byte) (*Edition, ErrorList) {
	var errs ErrorList
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		line, msg := yamlErrLine(err)
		errs.add(path, line, "broken edition file: %s", msg)
		errs.zh("版面文件无法解析（YAML 格式错误）")
		return nil, errs
	}
	var f editionFile
	if err := root.Decode(&f); err != nil {
		line, msg := yamlErrLine(err)
		errs.add(path, line, "bad edition file: %s", msg)
		errs.zh("版面文件的字段格式不对")
		return nil, errs
	}
	e := &Edition{Path: path, Page: f.Page, Title: f.Title, Note: f.Note, Masthead: f.Masthead,
		Items: f.Items, Geometry: f.Geometry, Layout: f.Layout}
	lines := itemLines(&root)
	for i := range e.Items {
		if i < len(lines) {
			e.Items[i].Line = lines[i]
		}
	}
	dateLine := nodeKeyLine(&root, "date")
	if f.Date == "" {
		errs.add(path, dateLine, "missing date: an edition needs its date (YYYY-MM-DD)")
		errs.zh("版面缺少日期（YYYY-MM-DD）")
	} else if t, err := parseDate(f.Date); err != nil {
		errs.add(path, dateLine, "bad date: %v", err)
		errs.zh("版面日期应为 YYYY-MM-DD")
	} else {
		e.Date = t
	}
	if e.Page < 0 {
		errs.add(path, nodeKeyLine(&root, "page"), "page (版次) must be a positive number")
		errs.zh("版次应为正整数")
	}
	for _, it := range e.Items {
		if (it.Story == "") == (it.Box == "") {
			errs.add(path, it.Line, "each item names exactly one story or one box")
			errs.zh("每一项只能是一篇稿件或一个栏目")
		}
		if m := it.Module; m != nil && (m.Columns < 0 || m.Lines < 0) {
			errs.add(path, it.Line, "module columns and lines must be positive (or left out for automatic layout)")
		}
	}
	return e, errs
}

func yamlErrLine(err error) (int, string) {
	msg := err.Error()
	line := 1
	if sm := yamlLineRE.FindStringSubmatch(msg); sm != nil {
		fmt.Sscanf(sm[1], "%d", &line)
		msg = strings.Replace(msg, sm[0], "", 1)
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = strings.TrimPrefix(strings.TrimSpace(msg), ": ")
	return line, msg
}

// nodeKeyLine is the line of key in a YAML document's top mapping, or 1.
func nodeKeyLine(root *yaml.Node, key string) int {
	m := root
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return 1
}

func itemLines(root *yaml.Node) []int {
	m := root
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "items" && m.Content[i+1].Kind == yaml.SequenceNode {
			var out []int
			for _, it := range m.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}

// ParseBox parses one box file (YAML). id is its file name without extension.
func ParseBox(path, id string, src []byte) (*Box, ErrorList) {
	var errs ErrorList
	var b Box
	if err := yaml.Unmarshal(src, &b); err != nil {
		line, msg := yamlErrLine(err)
		errs.add(path, line, "broken box file: %s", msg)
		errs.zh("栏目文件无法解析（YAML 格式错误）")
		return nil, errs
	}
	b.Path, b.ID = path, id
	switch b.Type {
	case BoxHonourRoll:
		if b.Title == "" {
			b.Title = "荣誉榜"
		}
		for i, r := range b.Rows {
			if strings.TrimSpace(r.Company) == "" {
				errs.add(path, 1, "row %d of the honour roll has no company", i+1)
				errs.zh("荣誉榜第 %d 行缺少企业名称", i+1)
			}
		}
	case "":
		errs.add(path, 1, "box has no type (known types: %s)", BoxHonourRoll)
		errs.zh("栏目缺少类型（可用：%s）", BoxHonourRoll)
	default:
		errs.add(path, 1, "unknown box type %q (known types: %s)", b.Type, BoxHonourRoll)
		errs.zh("未知的栏目类型“%s”（可用：%s）", b.Type, BoxHonourRoll)
	}
	return &b, errs
}

// ParseSite parses site.yaml or site.toml.
func ParseSite(path string, src []byte) (Site, ErrorList) {
	var errs ErrorList
	s := DefaultSite()
	format := YAML
	if strings.HasSuffix(path, ".toml") {
		format = TOML
	}
	m, line, err := decodeFrontMatter(src, format, 1)
	if err != nil {
		errs.add(path, line, "%s", strings.Replace(err.Error(), "front matter", "site config", 1))
		return s, errs
	}
	var derr error
	if format == YAML {
		derr = yaml.Unmarshal(src, &s)
	} else {
		derr = decodeTOML(src, &s)
	}
	if derr != nil {
		line, msg := yamlErrLine(derr)
		errs.add(path, line, "bad site config: %s", msg)
	}
	if derr == nil {
		checkDeploy(path, src, m, s.Deploy, &errs)
	}
	if s.Language == "" {
		s.Language = "zh-Hans"
	}
	if s.Masthead.Section == "" {
		s.Masthead.Section = s.Section
	}
	if s.Section == "" {
		s.Section = s.Masthead.Section
	}
	return s, errs
}

// DefaultSite is the configuration used when a folder has no site config.
func DefaultSite() Site {
	return Site{
		Title:    "多维世界",
		Section:  "多维世界",
		Language: "zh-Hans",
		Theme:    "default",
		BaseURL:  "/",
		Recent:   10,
		Masthead: Masthead{Section: "多维世界"},
	}
}

// secretKeys are keys that would put credentials into site.yaml, which is
// kept in git: refused with a pointer to where credentials belong.
var secretKeys = []string{"accesskey", "accesskeyid", "access_key_id", "aws_access_key_id", "secret", "secretkey",
	"secretaccesskey", "secret_access_key", "aws_secret_access_key", "password", "token", "sessiontoken"}

// checkDeploy checks the deploy section: every target has a unique name
// and a URL, auto names one of them, and no credentials are written here.
func checkDeploy(path string, src []byte, m map[string]any, d Deploy, errs *ErrorList) {
	line := keyLine(src, 1, "deploy")
	if raw, ok := m["deploy"].(map[string]any); ok {
		var list []map[string]any
		switch v := raw["targets"].(type) {
		case []any: // YAML
			for _, t := range v {
				if tm, ok := t.(map[string]any); ok {
					list = append(list, tm)
				}
			}
		case []map[string]any: // TOML
			list = v
		}
		for _, tm := range list {
			for k := range tm {
				if slices.Contains(secretKeys, strings.ToLower(k)) {
					errs.add(path, keyLine(src, 1, k), "deploy target key %q: credentials never go in site.yaml (部署密钥不能写在 site.yaml 里); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or use a credentials file", k)
				}
			}
		}
	}
	seen := map[string]bool{}
	for i, t := range d.Targets {
		switch {
		case t.Name == "":
			errs.add(path, line, "deploy target %d has no name", i+1)
		case seen[t.Name]:
			errs.add(path, line, "two deploy targets are called %q", t.Name)
		}
		seen[t.Name] = true
		if t.URL == "" {
			errs.add(path, line, "deploy target %q has no url", t.Name)
		}
	}
	if d.Auto != "" && !seen[d.Auto] {
		errs.add(path, line, "deploy auto names target %q, which is not among the targets", d.Auto)
	}
}
