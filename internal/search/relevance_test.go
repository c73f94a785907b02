package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// The relevance set: stories composed for this test from the shipped
// sample stories (testdata/samples.json) and a list of topics of district
// news, each topic the subject of exactly one story and mentioned in
// passing by several others (often newer ones), with judged queries: the
// topic itself (short queries) and a question about it. A story that
// mentions 操场 once must not tie with the story about 操场.

// relevanceTopics are the topics; none occurs in the sample stories.
var relevanceTopics = []string{
	"操场", "垃圾分类", "加装电梯", "菜市场", "养老院", "助餐点", "停车难", "充电桩", "口袋公园", "非遗",
	"消防演练", "献血", "义诊", "防汛", "台风", "高温", "河道", "黑臭水体", "绿道", "篮球赛",
	"读书会", "书法", "剪纸", "评弹", "沪剧", "越剧", "合唱团", "广场舞", "太极拳", "象棋",
	"围棋", "乒乓球", "羽毛球", "游泳馆", "图书馆", "博物馆", "美术馆", "文化馆", "少年宫", "幼儿园",
	"托育", "课后服务", "暑托班", "家长学校", "心理咨询", "法律援助", "调解室", "反诈", "电信诈骗", "消费维权",
	"食品安全", "健康码", "疫苗", "流感", "家庭医生", "医保", "长护险", "退休金", "就业招聘", "创业孵化",
	"人才公寓", "租赁住房", "旧区改造", "城中村", "拆违", "违章搭建", "群租", "高空抛物", "电动自行车", "共享单车",
	"公交线路", "地铁站", "断头路", "人行天桥", "路灯", "井盖", "雨污混接", "二次供水", "燃气改造", "屋顶漏水",
	"外墙脱落", "物业费", "业委会", "维修资金", "门禁", "快递柜", "外卖骑手", "新就业群体", "志愿者", "慈善超市",
	"助残", "盲道", "无障碍", "适老化", "老年大学", "智能手机", "数字鸿沟", "独居老人", "困境儿童", "留守",
	"退役军人", "双拥", "国防教育", "征兵", "民兵", "侨联", "妇联", "工会", "团委", "少先队",
	"科普", "天文", "机器人", "编程", "种植", "屋顶农场", "花卉", "古树", "野猫", "流浪狗",
}

// relevanceQuestions turn a topic into a question.
var relevanceQuestions = []string{
	"最近%s有什么新变化",
	"哪里可以了解%s的情况",
	"社区在%s方面做了哪些事情",
	"关于%s居民有什么反映",
	"%s的工作是怎么推进的",
}

var relevanceTitles = []string{"%s工作取得新进展", "聚焦%s 倾听居民心声", "%s：从“民生小事”到“幸福大事”", "%s惠及千家万户", "一线探访%s"}

// relevanceSet returns the stories and, per topic, the slug of its story.
func relevanceSet(tb testing.TB) ([]search.Doc, map[string]string) {
	tb.Helper()
	var clauses []string
	for _, d := range searchtest.SampleDocs(tb) {
		for _, c := range strings.FieldsFunc(d.Body, func(r rune) bool { return strings.ContainsRune("，。；！？\n", r) }) {
			if n := len([]rune(c)); n >= 6 && n <= 40 {
				clauses = append(clauses, c)
			}
		}
	}
	for _, t := range relevanceTopics {
		for _, c := range clauses {
			if strings.Contains(c, t) {
				tb.Fatalf("topic %s occurs in the sample text", t)
			}
		}
	}
	r := rand.New(rand.NewPCG(2026, 15))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	body := func(topic string, mentions int, others []string) string {
		n := 14 + r.IntN(16)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = clauses[r.IntN(len(clauses))]
		}
		for k := 0; k < mentions; k++ {
			i := r.IntN(n)
			parts[i] = topic + parts[i]
		}
		for _, o := range others {
			i := r.IntN(n)
			parts[i] += "，也谈到" + o
		}
		var b strings.Builder
		for i, p := range parts {
			b.WriteString(p)
			if i%5 == 4 {
				b.WriteString("。\n")
			} else {
				b.WriteString("，")
			}
		}
		return strings.TrimSuffix(b.String(), "\n") + "。"
	}
	var docs []search.Doc
	about := map[string]string{}
	for i, t := range relevanceTopics {
		var others []string
		for k := 0; k < 3; k++ {
			others = append(others, relevanceTopics[r.IntN(len(relevanceTopics))])
		}
		d := search.Doc{
			ID:     fmt.Sprintf("topic-%03d", i),
			Title:  fmt.Sprintf(relevanceTitles[r.IntN(len(relevanceTitles))], t),
			Body:   body(t, 2+r.IntN(4), others),
			Credit: searchtest.Towns[r.IntN(len(searchtest.Towns))],
			Date:   start.AddDate(0, 0, r.IntN(900)),
		}
		switch i % 6 {
		case 1, 3, 5:
			// The topic in the body alone, under a title about
			// something else: only how often it occurs tells.
			d.Title = clauses[r.IntN(len(clauses))]
		case 4:
			// The topic in the kicker and the body.
			d.Kicker = "关注" + t
			d.Title = "居民的事就是大事"
		}
		docs = append(docs, d)
		about[t] = d.ID
	}
	// Stories about nothing in particular, each naming a few topics once,
	// dated later on average than the topic stories.
	for i := 0; i < 600; i++ {
		var others []string
		for k := 0; k < 1+r.IntN(3); k++ {
			others = append(others, relevanceTopics[r.IntN(len(relevanceTopics))])
		}
		docs = append(docs, search.Doc{
			ID:     fmt.Sprintf("other-%03d", i),
			Title:  clauses[r.IntN(len(clauses))],
			Body:   body("", 0, others),
			Credit: searchtest.Towns[r.IntN(len(searchtest.Towns))],
			Date:   start.AddDate(0, 0, 300+r.IntN(700)),
		})
	}
	return docs, about
}

// relevanceMetrics runs queries (text → judged slug) and returns hit@1,
// MRR@10 and the share of queries without results.
func relevanceMetrics(tb testing.TB, s interface {
	Search(context.Context, search.Query) (*search.Result, error)
}, queries [][2]string) (hit1, mrr, none float64) {
	tb.Helper()
	for _, q := range queries {
		res, err := s.Search(context.Background(), search.Query{Text: q[0], Limit: 10})
		if err != nil {
			tb.Fatal(err)
		}
		if res.Total == 0 {
			none++
		}
		for k, h := range res.Hits {
			if h.ID == q[1] {
				if k == 0 {
					hit1++
				}
				mrr += 1 / float64(k+1)
				break
			}
		}
	}
	n := float64(len(queries))
	return hit1 / n, mrr / n, none / n
}

// TestRelevance holds the ranking to its floors on the relevance set:
// hit@1 ≥ 0.98 on short queries and ≥ 0.96 on questions, and fewer than
// 1% of queries without results.
func TestRelevance(t *testing.T) {
	t.Parallel()
	docs, about := relevanceSet(t)
	x := searchtest.MustOpenIndex(t, docs)
	var short, questions [][2]string
	for i, topic := range relevanceTopics {
		short = append(short, [2]string{topic, about[topic]})
		questions = append(questions, [2]string{fmt.Sprintf(relevanceQuestions[i%len(relevanceQuestions)], topic), about[topic]})
	}
	if n := len(short) + len(questions); n < 200 {
		t.Fatalf("%d judged queries, want at least 200", n)
	}
	for _, c := range []struct {
		name  string
		qs    [][2]string
		floor float64
	}{{"short", short, 0.98}, {"questions", questions, 0.96}} {
		hit1, mrr, none := relevanceMetrics(t, x, c.qs)
		t.Logf("%s (%d queries): hit@1 %.3f, MRR@10 %.3f, no results %.3f", c.name, len(c.qs), hit1, mrr, none)
		if hit1 < c.floor {
			t.Errorf("%s: hit@1 %.3f, floor %.2f", c.name, hit1, c.floor)
		}
		if none >= 0.01 {
			t.Errorf("%s: %.1f%% of queries found nothing", c.name, 100*none)
		}
	}
}

// nearSet returns stories and judged two-word queries "town topic" for
// proximity across query terms: per topic, one story names the town and
// the topic next to each other once (长征镇垃圾分类), and two newer stories
// name each twice, apart. Only where the words stand tells them apart.
func nearSet(tb testing.TB) ([]search.Doc, [][2]string) {
	tb.Helper()
	var clauses []string
	for _, d := range searchtest.SampleDocs(tb) {
		for _, c := range strings.FieldsFunc(d.Body, func(r rune) bool { return strings.ContainsRune("，。；！？\n", r) }) {
			if n := len([]rune(c)); n >= 6 && n <= 40 && !strings.Contains(c, "镇") {
				clauses = append(clauses, c)
			}
		}
	}
	r := rand.New(rand.NewPCG(2026, 16))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	body := func(before ...string) string {
		parts := make([]string, 14+r.IntN(10))
		for i := range parts {
			parts[i] = clauses[r.IntN(len(clauses))]
		}
		for k, w := range before {
			// Far apart: spread over the story.
			i := (k*len(parts)/len(before) + r.IntN(2)) % len(parts)
			parts[i] = w + parts[i]
		}
		return strings.Join(parts, "，") + "。"
	}
	var docs []search.Doc
	var qs [][2]string
	for i, t := range relevanceTopics {
		town := searchtest.Towns[i%len(searchtest.Towns)]
		id := fmt.Sprintf("near-%03d", i)
		docs = append(docs, search.Doc{ID: id, Title: clauses[r.IntN(len(clauses))], Body: body(town+t, t), Date: start.AddDate(0, 0, r.IntN(300))})
		for k := 0; k < 2; k++ {
			docs = append(docs, search.Doc{
				ID: fmt.Sprintf("apart-%03d-%d", i, k), Title: clauses[r.IntN(len(clauses))],
				Body: body(town, t, town, t), Date: start.AddDate(0, 0, 300+r.IntN(300)),
			})
		}
		qs = append(qs, [2]string{town + " " + t, id})
	}
	return docs, qs
}

// TestRelevanceNear: terms typed apart score higher where a story holds
// them next to each other (plan.Near).
func TestRelevanceNear(t *testing.T) {
	t.Parallel()
	docs, qs := nearSet(t)
	x := searchtest.MustOpenIndex(t, docs)
	hit1, mrr, none := relevanceMetrics(t, x, qs)
	t.Logf("two words (%d queries): hit@1 %.3f, MRR@10 %.3f, no results %.3f", len(qs), hit1, mrr, none)
	if hit1 < 0.9 || none > 0 {
		t.Errorf("hit@1 %.3f, no results %.3f", hit1, none)
	}
}
