package content

import (
	"time"
)

// DateLayout is the layout of edition dates and of dates in URLs.
const DateLayout = "2006-01-02"

// Site is the site configuration (site.yaml).
type Site struct {
	Title    string `yaml:"title" toml:"title" json:"title"`
	BaseURL  string `yaml:"baseURL" toml:"baseURL" json:"baseURL"`
	Paper    string `yaml:"paper" toml:"paper" json:"paper"`       // 报名, e.g. 新民晚报
	Section  string `yaml:"section" toml:"section" json:"section"` // 版名, e.g. 多维世界
	Language string `yaml:"language" toml:"language" json:"language"`
	Theme    string `yaml:"theme" toml:"theme" json:"theme"`
	// TagAuthority is the domain (or email address) that Atom entry ids
	// are minted under (RFC 4151 tag: URIs); default the host of BaseURL.
	// Set it to the old domain when the site moves, and feed readers
	// keep every entry they have seen.
	TagAuthority string `yaml:"tagAuthority" toml:"tagAuthority" json:"tagAuthority,omitempty"`
	// Description is a one-line description for feeds and meta tags.
	Description string `yaml:"description" toml:"description" json:"description"`
	// Masthead is the default masthead of every edition.
	Masthead Masthead `yaml:"masthead" toml:"masthead" json:"masthead"`
	// Typeset turns house-style normalisation of story copy on or off
	// (default on).
	Typeset *bool `yaml:"typeset" toml:"typeset" json:"typeset,omitempty"`
	// Recent is how many editions the home page lists (default 10).
	Recent int `yaml:"recent" toml:"recent" json:"recent"`
	// Geometry is the print page geometry used by the proof.
	Geometry Geometry `yaml:"geometry" toml:"geometry" json:"geometry"`
	// Deploy lists where `banmian deploy` puts the built site. It never
	// holds credentials: those come from the environment or a
	// credentials file.
	Deploy Deploy `yaml:"deploy" toml:"deploy" json:"deploy,omitzero"`
}

// Deploy is the deploy section of site.yaml.
type Deploy struct {
	// Auto names the target serve deploys to after each publish; empty
	// for none.
	Auto    string         `yaml:"auto,omitempty" toml:"auto,omitempty" json:"auto,omitempty"`
	Targets []DeployTarget `yaml:"targets,omitempty" toml:"targets,omitempty" json:"targets,omitempty"`
}

// DeployTarget is one place the site is deployed to: an S3-compatible
// bucket (s3://bucket/prefix?endpoint=…&region=…) or a local folder
// (file:///srv/www or a plain path).
type DeployTarget struct {
	Name string `yaml:"name" toml:"name" json:"name"`
	URL  string `yaml:"url" toml:"url" json:"url"`
	// PathStyle true addresses the bucket as endpoint/bucket/key (MinIO,
	// SeaweedFS, most self-hosted servers), false as bucket.endpoint/key
	// (Tencent COS); unset lets the client choose (virtual host for AWS
	// and Aliyun OSS, path style elsewhere).
	PathStyle *bool `yaml:"pathStyle,omitempty" toml:"pathStyle,omitempty" json:"pathStyle,omitempty"`
	// Gzip stores text files gzip-compressed with Content-Encoding: gzip.
	Gzip bool `yaml:"gzip,omitempty" toml:"gzip,omitempty" json:"gzip,omitempty"`
	// Credentials is the path of an AWS-style credentials file and
	// Profile the section in it; used when the environment has no keys.
	Credentials string `yaml:"credentials,omitempty" toml:"credentials,omitempty" json:"credentials,omitempty"`
	Profile     string `yaml:"profile,omitempty" toml:"profile,omitempty" json:"profile,omitempty"`
}

// Target returns the deploy target called name, or nil.
func (d Deploy) Target(name string) *DeployTarget {
	for i := range d.Targets {
		if d.Targets[i].Name == name {
			return &d.Targets[i]
		}
	}
	return nil
}

// TypesetOn reports whether story copy is normalised to house style.
func (s *Site) TypesetOn() bool { return s.Typeset == nil || *s.Typeset }

// Masthead is the structured masthead of a page: printed by templates with
// full-width colons, never stored as free text.
type Masthead struct {
	Section string `yaml:"section,omitempty" toml:"section,omitempty" json:"section,omitempty"` // 版名
	Editor  string `yaml:"editor,omitempty" toml:"editor,omitempty" json:"editor,omitempty"`    // 责任编辑
	Weibo   string `yaml:"weibo,omitempty" toml:"weibo,omitempty" json:"weibo,omitempty"`       // 微博
	Email   string `yaml:"email,omitempty" toml:"email,omitempty" json:"email,omitempty"`       // 邮箱
	Hotline string `yaml:"hotline,omitempty" toml:"hotline,omitempty" json:"hotline,omitempty"` // 热线电话
}

// Merge returns m with every empty field taken from def.
func (m Masthead) Merge(def Masthead) Masthead {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Masthead{
		Section: pick(m.Section, def.Section),
		Editor:  pick(m.Editor, def.Editor),
		Weibo:   pick(m.Weibo, def.Weibo),
		Email:   pick(m.Email, def.Email),
		Hotline: pick(m.Hotline, def.Hotline),
	}
}

// Geometry is the print page geometry. Lengths are millimetres, type sizes
// points. Zero fields take the defaults of DefaultGeometry.
type Geometry struct {
	TrimWidth     float64   `yaml:"trimWidth,omitempty" toml:"trimWidth,omitempty" json:"trimWidth,omitempty"`
	TrimHeight    float64   `yaml:"trimHeight,omitempty" toml:"trimHeight,omitempty" json:"trimHeight,omitempty"`
	MarginTop     float64   `yaml:"marginTop,omitempty" toml:"marginTop,omitempty" json:"marginTop,omitempty"`
	MarginBottom  float64   `yaml:"marginBottom,omitempty" toml:"marginBottom,omitempty" json:"marginBottom,omitempty"`
	MarginInner   float64   `yaml:"marginInner,omitempty" toml:"marginInner,omitempty" json:"marginInner,omitempty"`
	MarginOuter   float64   `yaml:"marginOuter,omitempty" toml:"marginOuter,omitempty" json:"marginOuter,omitempty"`
	Columns       int       `yaml:"columns,omitempty" toml:"columns,omitempty" json:"columns,omitempty"`
	Gutter        float64   `yaml:"gutter,omitempty" toml:"gutter,omitempty" json:"gutter,omitempty"`
	BodySize      float64   `yaml:"bodySize,omitempty" toml:"bodySize,omitempty" json:"bodySize,omitempty"`
	Leading       float64   `yaml:"leading,omitempty" toml:"leading,omitempty" json:"leading,omitempty"`
	HeadlineSizes []float64 `yaml:"headlineSizes,omitempty" toml:"headlineSizes,omitempty" json:"headlineSizes,omitempty"`
}

// DefaultGeometry is a 对开 broadsheet page: 390×545 mm trim, eight base
// columns.
var DefaultGeometry = Geometry{
	TrimWidth: 390, TrimHeight: 545,
	MarginTop: 25, MarginBottom: 25, MarginInner: 20, MarginOuter: 20,
	Columns: 8, Gutter: 4,
	BodySize: 9.5, Leading: 14,
	HeadlineSizes: []float64{36, 28, 22},
}

// Merge returns g with zero fields taken from def.
func (g Geometry) Merge(def Geometry) Geometry {
	f := func(a, b float64) float64 {
		if a != 0 {
			return a
		}
		return b
	}
	out := Geometry{
		TrimWidth: f(g.TrimWidth, def.TrimWidth), TrimHeight: f(g.TrimHeight, def.TrimHeight),
		MarginTop: f(g.MarginTop, def.MarginTop), MarginBottom: f(g.MarginBottom, def.MarginBottom),
		MarginInner: f(g.MarginInner, def.MarginInner), MarginOuter: f(g.MarginOuter, def.MarginOuter),
		Columns: g.Columns, Gutter: f(g.Gutter, def.Gutter),
		BodySize: f(g.BodySize, def.BodySize), Leading: f(g.Leading, def.Leading),
		HeadlineSizes: g.HeadlineSizes,
	}
	if out.Columns == 0 {
		out.Columns = def.Columns
	}
	if len(out.HeadlineSizes) == 0 {
		out.HeadlineSizes = def.HeadlineSizes
	}
	return out
}

// Story is one story: front matter plus a Markdown body.
type Story struct {
	// Path is the source file, relative to the content folder,
	// slash-separated.
	Path string `json:"path"`
	// Slug is readable ASCII, stable across builds: explicit, or derived
	// from the title's pinyin.
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`              // 主题 (headline), required
	Kicker   string    `json:"kicker,omitempty"`   // 引题
	Subtitle string    `json:"subtitle,omitempty"` // 副题
	Credit   string    `json:"credit,omitempty"`   // 供稿单位, e.g. 长征镇 (printed "长征镇 供稿")
	Date     time.Time `json:"date"`               // required
	// Edition is the date (YYYY-MM-DD) of the page the story ran on; empty
	// when it ran on none. Editions that list the story also set it.
	Edition string   `json:"edition,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Draft   bool     `json:"draft,omitempty"`
	Summary string   `json:"summary,omitempty"`
	// Corrections are dated correction notes shown on the story page.
	Corrections []Correction `json:"corrections,omitempty"`
	// Params holds front matter keys banmian does not know, kept as read.
	Params map[string]any `json:"params,omitempty"`
	// Warnings are problems the loader put right (a tag listed twice),
	// to be reported without failing the build.
	Warnings ErrorList `json:"-"`
	// Body is the Markdown body, without front matter. A story loaded
	// through a content cache read from disk comes without it (nil) and
	// reads it from its file when asked: use LoadBody, not Body, for any
	// story that came from Load.
	Body []byte `json:"-"`
	// BodyLine is the line of the source file the body starts on.
	BodyLine int `json:"-"`
	// Assets are files published beside the story (page bundles: the
	// non-Markdown files next to an index.md), slash-separated paths
	// relative to the content folder.
	Assets []string `json:"assets,omitempty"`
	// Hash identifies the source file's bytes: equal hashes, equal story.
	Hash uint64 `json:"-"`

	lazy *lazyBody // where LoadBody finds a body left out by the cache
}

// Correction is a dated correction note on a published story.
type Correction struct {
	Date time.Time `yaml:"date" json:"date"`
	Note string    `yaml:"note" json:"note"`
}

// Edition is a dated page: its masthead and the ordered stories and boxes on
// it.
type Edition struct {
	Path     string    `json:"path"`
	Date     time.Time `json:"date"`
	Page     int       `json:"page"`               // 版次
	Title    string    `json:"title,omitempty"`    // optional page title
	Note     string    `json:"note,omitempty"`     // editor's note shown on the page
	Masthead Masthead  `json:"masthead,omitempty"` // overrides of the site's default
	Items    []Item    `json:"items"`
	// Geometry overrides the site's page geometry for this edition.
	Geometry *Geometry `json:"geometry,omitempty"`
	// Layout places each item on the print page; empty means automatic.
	Layout []Module `json:"layout,omitempty"`
	// Hash identifies the source file's bytes.
	Hash uint64 `json:"-"`
}

// DateString is the edition's date as YYYY-MM-DD.
func (e *Edition) DateString() string { return e.Date.Format(DateLayout) }

// Item is one story or box on an edition, in page order.
type Item struct {
	Story string `yaml:"story,omitempty" json:"story,omitempty"` // story slug
	Box   string `yaml:"box,omitempty" json:"box,omitempty"`     // box id
	Lead  bool   `yaml:"lead,omitempty" json:"lead,omitempty"`   // 头条
	// Module is the editor's override of the item's print module; nil
	// leaves its size to the automatic layout.
	Module *ItemModule `yaml:"module,omitempty" json:"module,omitempty"`
	Line   int         `yaml:"-" json:"-"` // line in the edition file
}

// ItemModule is an editor's choice of an item's module size on the print
// page. A zero Columns or Lines leaves that dimension to the automatic
// layout; Locked asks the desk's "re-layout" to keep the size as it is.
type ItemModule struct {
	Columns int  `yaml:"columns,omitempty" json:"columns,omitempty"` // base columns spanned
	Lines   int  `yaml:"lines,omitempty" json:"lines,omitempty"`     // height in body lines
	Locked  bool `yaml:"locked,omitempty" json:"locked,omitempty"`
}

// IsZero reports whether m sets nothing (nil or all zero).
func (m *ItemModule) IsZero() bool { return m == nil || *m == ItemModule{} }

// Module places one item on the print page grid.
type Module struct {
	Item    string `yaml:"item" json:"item"`       // story slug or box id
	Column  int    `yaml:"column" json:"column"`   // first base column, 1-based
	Columns int    `yaml:"columns" json:"columns"` // base columns spanned
	Row     int    `yaml:"row" json:"row"`         // top, in body lines from the type area top
	Lines   int    `yaml:"lines" json:"lines"`     // height in body lines
}

// BoxHonourRoll is the type of a 荣誉榜 box.
const BoxHonourRoll = "honour-roll"

// Box is typed structured content placed on an edition.
type Box struct {
	Path  string      `yaml:"-" json:"path"`
	ID    string      `yaml:"-" json:"id"` // file name without extension
	Type  string      `yaml:"type" json:"type"`
	Title string      `yaml:"title" json:"title"`
	Note  string      `yaml:"note,omitempty" json:"note,omitempty"`
	Rows  []HonourRow `yaml:"rows,omitempty" json:"rows,omitempty"`
	// Hash identifies the source file\'s bytes.
	Hash uint64 `yaml:"-" json:"-"`
}

// HonourRow is one entry of a 荣誉榜: a company, its inspected product and
// the award.
type HonourRow struct {
	Company string `yaml:"company" json:"company"` // 企业
	Product string `yaml:"product" json:"product"` // 受检产品
	Award   string `yaml:"award" json:"award"`     // 荣获
}

// Site content as loaded from a folder.
type Content struct {
	Site     Site
	Stories  []*Story   // sorted newest first, then by slug
	Editions []*Edition // sorted newest first
	Boxes    map[string]*Box
	// SiteHash identifies the site config file's bytes (0 without one).
	SiteHash uint64
	// Warnings are the stories' Warnings: problems put right while
	// loading, in story order.
	Warnings ErrorList
}

// Story returns the story with slug, or nil.
func (c *Content) Story(slug string) *Story {
	for _, s := range c.Stories {
		if s.Slug == slug {
			return s
		}
	}
	return nil
}
