package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// The newsroom's house rules, defined once: the reader URL scheme, the
// credit line, the time zone and the Chinese date format. Every package
// that shows, links or prints a story calls these.

// Newsroom is the newsroom's time zone, Asia/Shanghai (UTC+8 all year; a
// fixed zone, so it needs no tzdata on the machine).
var Newsroom = time.FixedZone("CST", 8*60*60)

// ChineseDate formats a date the Chinese way: 2025年5月22日.
func ChineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// ChineseDateWeekday is the date as printed on the page's masthead:
// 2025年6月17日 星期二.
func ChineseDateWeekday(t time.Time) string {
	week := [...]string{"日", "一", "二", "三", "四", "五", "六"}
	return ChineseDate(t) + " 星期" + week[t.Weekday()]
}

// EditionDate is midnight of an edition date (2006-01-02) in the newsroom's
// time zone.
func EditionDate(date string) (time.Time, error) {
	return time.ParseInLocation(DateLayout, date, Newsroom)
}

// creditEndings are the words a credit may already end in; such a credit
// is printed as written.
var creditEndings = []string{"供稿", "摄", "报道", "文", "图"}

// CreditLine is the printed credit of a story, on paper and on the web:
// "长征镇 供稿". A credit that already ends in 摄, 报道, 供稿, 文 or 图 is
// kept as written ("张三 摄"). An empty credit gives "".
func CreditLine(credit string) string {
	credit = strings.TrimSpace(credit)
	if credit == "" {
		return ""
	}
	for _, w := range creditEndings {
		if strings.HasSuffix(credit, w) {
			return credit
		}
	}
	return credit + " 供稿"
}

// SiteRoot is the path the reader site lives under: the path of baseURL,
// with a slash at each end ("/" when baseURL has none).
func SiteRoot(baseURL string) string {
	root := "/"
	if u, err := url.Parse(baseURL); err == nil && baseURL != "" {
		root = u.Path
		if !strings.HasPrefix(root, "/") {
			root = "/" + root
		}
		if !strings.HasSuffix(root, "/") {
			root += "/"
		}
	}
	return root
}

// The reader URL scheme, relative to the site root: each page is a folder
// with an index.html.

// StoryPath is the folder of a story: stories/<slug>/.
func StoryPath(slug string) string { return "stories/" + slug + "/" }

// EditionPath is the folder of an edition: editions/<2006-01-02>/.
func EditionPath(date string) string { return "editions/" + date + "/" }

// CreditPath is the folder listing a credit's stories: credits/<slug>/,
// where slug is TermSlug of the credit (or a disambiguated form of it).
func CreditPath(slug string) string { return "credits/" + slug + "/" }

// TagPath is the folder listing a tag's stories: tags/<slug>/.
func TagPath(slug string) string { return "tags/" + slug + "/" }

// StoryURL is the reader URL of a story on a site with baseURL.
func StoryURL(baseURL, slug string) string { return SiteRoot(baseURL) + StoryPath(slug) }

// TermSlug is the URL segment of a credit or tag: its pinyin slug, or, for
// a name without letters, digits or Han characters (……, ..), the stable
// safe form t-<first 8 hex digits of its SHA-256>.
func TermSlug(name string) string {
	if s := Slugify(name); s != "" && ValidSlug(s) {
		return s
	}
	sum := sha256.Sum256([]byte(name))
	return "t-" + hex.EncodeToString(sum[:4])
}

// OnlyDotsOrSlashes reports whether a tag or office name is made only of
// dots, slashes and spaces: such a name is refused, it reads like a path.
func OnlyDotsOrSlashes(name string) bool {
	return strings.TrimFunc(name, func(r rune) bool {
		return r == '.' || r == '/' || r == '\\' || unicode.IsSpace(r)
	}) == ""
}
