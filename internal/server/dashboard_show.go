package server

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/banmian/banmian/internal/store"
)

type statusCount struct {
	Status store.Status
	Count  int
}

type dashData struct {
	ByStatus []statusCount
	ByOffice map[string]map[store.Status]int
	Offices  []string
	Statuses []store.Status
	Chart    template.HTML
	Waiting  []store.Submission
}

// dashboardShow is the editor's overview: submissions by status and
// office, those waiting for review, and a monthly chart per office.
func (s *Server) dashboardShow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	all, err := s.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		return err
	}
	d := dashData{ByOffice: map[string]map[store.Status]int{}, Statuses: store.Statuses}
	counts := map[store.Status]int{}
	for _, sub := range all {
		counts[sub.Status]++
		if d.ByOffice[sub.Office] == nil {
			d.ByOffice[sub.Office] = map[store.Status]int{}
			d.Offices = append(d.Offices, sub.Office)
		}
		d.ByOffice[sub.Office][sub.Status]++
		if sub.Status == store.StatusSubmitted || sub.Status == store.StatusResubmitted {
			d.Waiting = append(d.Waiting, sub)
		}
	}
	slices.Sort(d.Offices)
	for _, st := range store.Statuses {
		d.ByStatus = append(d.ByStatus, statusCount{st, counts[st]})
	}
	mc, err := s.st.MonthlyCounts()
	if err != nil {
		return err
	}
	d.Chart = monthlyChart(mc)
	return s.render(w, r, c, "dashboard", "编辑台", d)
}

// monthlyChart draws submissions per office per month as grouped bars, an
// SVG rendered on the server (no script). Text is escaped.
func monthlyChart(mc []store.MonthlyCount) template.HTML {
	if len(mc) == 0 {
		return template.HTML(`<p class="muted">暂无稿件统计</p>`)
	}
	var months, offices []string
	maxN := 1
	val := map[[2]string]int{}
	for _, m := range mc {
		if !slices.Contains(months, m.Month) {
			months = append(months, m.Month)
		}
		if !slices.Contains(offices, m.Office) {
			offices = append(offices, m.Office)
		}
		val[[2]string{m.Month, m.Office}] = m.Count
		maxN = max(maxN, m.Count)
	}
	slices.Sort(months)
	if len(months) > 12 {
		months = months[len(months)-12:]
	}
	slices.Sort(offices)
	const barW, gap, chartH, top, left = 12, 16, 160, 20, 30
	groupW := len(offices)*barW + gap
	width := left + len(months)*groupW + 10
	legendY := top + chartH + 40
	height := legendY + 18*((len(offices)+3)/4) + 10
	colors := []string{"#b22222", "#1f5f8b", "#2e7d32", "#8e6c00", "#6a1b9a", "#00838f", "#5d4037", "#455a64"}
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="各单位每月来稿数">`, width, height, width, height)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, left, top+chartH, width-5, top+chartH)
	fmt.Fprintf(&b, `<text x="2" y="%d" font-size="10">%d</text>`, top+8, maxN)
	for i, m := range months {
		x0 := left + i*groupW
		for j, o := range offices {
			n := val[[2]string{m, o}]
			h := n * chartH / maxN
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s：%d 篇</title></rect>`,
				x0+j*barW, top+chartH-h, barW-2, h, colors[j%len(colors)], esc(o), esc(m), n)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10">%s</text>`, x0, top+chartH+14, esc(m))
	}
	for j, o := range offices {
		x, y := 10+(j%4)*150, legendY+18*(j/4)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="12">%s</text>`,
			x, y-9, colors[j%len(colors)], x+14, y, esc(o))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
