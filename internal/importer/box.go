package importer

import (
	"regexp"
	"strings"

	"github.com/banmian/banmian/internal/content"
)

var (
	productRE = regexp.MustCompile(`^受检产品[ \t\x{3000}]*[:：]?[ \t\x{3000}]*`)
	awardRE   = regexp.MustCompile(`^荣获[ \t\x{3000}]*[:：]?[ \t\x{3000}]*`)
)

func isProduct(s string) bool { return productRE.MatchString(s) }
func isAward(s string) bool   { return awardRE.MatchString(s) }

// awardComplete reports whether an award reads as finished, so that a
// short line after a blank line starts something else.
func awardComplete(s string) bool {
	for _, end := range []string{"产品", "单位", "企业", "品牌", "称号", "奖", "榜"} {
		if strings.HasSuffix(s, end) {
			return true
		}
	}
	return false
}

// box reads an honour roll whose title is on line i. Each row is a company
// line followed by a 受检产品 line (possibly wrapped), a 荣获 line and the
// award (possibly wrapped). It returns the box and the first line after it;
// ok is false when no row follows the title.
func (ps *parser) box(i int) (*content.Box, int, bool) {
	L := ps.lines
	title := L[i].text
	// rowStart reports whether a row starts at j, and how many lines its
	// company name takes.
	rowStart := func(j int) (int, bool) {
		switch {
		case j >= len(L):
			return 0, false
		case isProduct(L[j].text) || isAward(L[j].text):
			return 0, true
		case j+1 < len(L) && (isProduct(L[j+1].text) || isAward(L[j+1].text)):
			return 1, true
		case j+2 < len(L) && !L[j+1].afterBlank && !isBoxTitle(L[j].text) && (isProduct(L[j+2].text) || isAward(L[j+2].text)):
			return 2, true
		}
		return 0, false
	}
	var rows []content.HonourRow
	var labels []string
	var warns []Warning
	j := i + 1
	for {
		n, ok := rowStart(j)
		if !ok {
			break
		}
		var parts []string
		for k := 0; k < n; k++ {
			parts = append(parts, L[j+k].text)
		}
		row := content.HonourRow{Company: ps.norm(joinLines(parts))}
		rowLine := L[j].no
		if n == 0 {
			warns = append(warns, Warning{Line: rowLine, Msg: "honour-roll row without a company name"})
		}
		j += n
		if j < len(L) && isProduct(L[j].text) {
			labels = append(labels, "受检产品")
			parts = []string{productRE.ReplaceAllString(L[j].text, "")}
			j++
			for j < len(L) && len(parts) < 4 {
				t := L[j].text
				if isAward(t) || isProduct(t) || isBoxTitle(t) || endsSentence(t) || runeLen(t) > 40 {
					break
				}
				// Inside a product, only a company followed by its own
				// product starts the next row ("…品牌:黄油肉" before 荣获
				// continues the product).
				if j+1 < len(L) && isProduct(L[j+1].text) || j+2 < len(L) && !L[j+1].afterBlank && isProduct(L[j+2].text) {
					break
				}
				parts = append(parts, t)
				j++
			}
			row.Product = ps.norm(joinLines(nonEmpty(parts)))
		}
		if j < len(L) && isAward(L[j].text) {
			labels = append(labels, "荣获")
			parts = nonEmpty([]string{awardRE.ReplaceAllString(L[j].text, "")})
			j++
			for j < len(L) {
				t := L[j].text
				if isProduct(t) || isAward(t) || isBoxTitle(t) || endsSentence(t) || runeLen(t) > 40 {
					break
				}
				// A row starts here when the next line is this row's
				// product; when it is the one after, this line may as well
				// end the award ("…产品质量" / "监督抽查合格产品" / company).
				if n, starts := rowStart(j); starts && (n < 2 || len(parts) > 0 && awardComplete(joinLines(parts))) {
					break
				}
				award := joinLines(parts)
				if len(parts) == 0 || !L[j].afterBlank || !awardComplete(award) {
					parts = append(parts, t)
					j++
					continue
				}
				break
			}
			row.Award = ps.norm(joinLines(parts))
		}
		if row.Award == "" {
			warns = append(warns, Warning{Line: rowLine, Msg: "honour-roll row " + row.Company + " has no award (荣获 …)"})
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, i, false
	}
	ps.page.Labels = append(ps.page.Labels, labels...)
	ps.page.Warnings = append(ps.page.Warnings, warns...)
	return &content.Box{Type: content.BoxHonourRoll, Title: ps.norm(title), Rows: rows}, j, true
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
