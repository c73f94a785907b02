package typeset

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"
)

func hanCount(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if isHan(r) {
			n++
		}
		b = b[size:]
	}
	return n
}

func addSeeds(f *testing.F) {
	for _, c := range cases {
		f.Add(c.in)
	}
	f.Add("中,,;文")
	f.Add("a,:中")
	f.Add("\"中\"\"a\" '中' (x(中)) [a](b) ![c](d)")
	f.Add("中 ... 文 -- “” （a) ‘ ’ ！！？？ 。。。。 …… ————")
	f.Add("```\n中,文\n```\n\n`a,b`,中")
}

func FuzzNormalize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		once := Normalize(in)
		if twice := Normalize(once); twice != once {
			t.Fatalf("not idempotent\nin:    %q\nonce:  %q\ntwice: %q", in, once, twice)
		}
		if hanCount([]byte(in)) != hanCount([]byte(once)) {
			t.Fatalf("Han characters added or lost\nin:  %q\nout: %q", in, once)
		}
	})
}

func FuzzFix(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		src := []byte(in)
		prot := markdownProtected(src)
		out, fs := Fix(src, prot)
		if !bytes.Equal(src, []byte(in)) {
			t.Fatal("Fix modified its input")
		}
		// Protected spans come out byte-identical, in order.
		rest := out
		for _, r := range normRanges(prot, len(src)) {
			k := bytes.Index(rest, src[r.Start:r.End])
			if k < 0 {
				t.Fatalf("protected %q lost\nin:  %q\nout: %q", src[r.Start:r.End], in, out)
			}
			rest = rest[k+r.End-r.Start:]
		}
		again, fs2 := Fix(out, markdownProtected(out))
		if !bytes.Equal(again, out) {
			t.Fatalf("not idempotent\nin:    %q\nonce:  %q\ntwice: %q\n%+v", in, out, again, fs2)
		}
		if hanCount(src) != hanCount(out) {
			t.Fatalf("Han characters added or lost\nin:  %q\nout: %q", in, out)
		}
		for _, fd := range fs {
			if fd.Offset < 0 || fd.Offset > len(src) || fd.Line < 1 || fd.Col < 1 {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}

// FuzzProtected checks arbitrary protected ranges stay byte-identical.
func FuzzProtected(f *testing.F) {
	f.Add("中,文(a)\"b\"", 1, 5)
	f.Add("“现在管道疏通了,马桶不反水了”", 3, 12)
	f.Fuzz(func(t *testing.T, in string, a, b int) {
		src := []byte(in)
		if len(src) == 0 {
			return
		}
		a, b = abs(a)%len(src), abs(b)%(len(src)+1)
		if a > b {
			a, b = b, a
		}
		out, _ := Fix(src, []Range{{a, b}})
		if !bytes.Contains(out, src[a:b]) {
			t.Fatalf("protected %q lost: %q", src[a:b], out)
		}
	})
}

func abs(x int) int {
	if x < 0 {
		if x == -x { // math.MinInt
			return 0
		}
		return -x
	}
	return x
}

// samplePage returns the legacy sample page (the importer's copy of
// ../shared/samples/duowei-page-legacy.txt).
func samplePage(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("../importer/testdata/duowei-page-legacy.txt")
	if err != nil {
		tb.Fatalf("sample page: %v", err)
	}
	return b
}

func TestSamplePage(t *testing.T) {
	t.Parallel()
	src := samplePage(t)
	out, fs := Fix(src, nil)
	if bytes.Count(out, []byte(",")) != 0 {
		t.Errorf("ASCII commas left: %d", bytes.Count(out, []byte(",")))
	}
	for _, keep := range []string{"2600多户", "12345热线", "长征镇 供稿", "佘山镇 供稿", "9773859@qq.com", "http://t.xinmin.cn/guoguo11", "责任编辑：郭爽"} {
		if !bytes.Contains(out, []byte(keep)) {
			t.Errorf("fixed page lacks %q", keep)
		}
	}
	if again, _ := Fix(out, nil); !bytes.Equal(again, out) {
		t.Error("sample page not idempotent")
	}
	if hanCount(src) != hanCount(out) {
		t.Error("Han count changed")
	}
	t.Logf("%d findings", len(fs))
}

// benchPage is Chinese Markdown: the sample page body repeated to about 1 MB.
func benchPage(b *testing.B) []byte {
	page := samplePage(b)
	var buf bytes.Buffer
	for buf.Len() < 1<<20 {
		buf.Write(page)
		buf.WriteString("\n\n")
	}
	return buf.Bytes()
}

func BenchmarkFix(b *testing.B) {
	src := benchPage(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Fix(src, nil)
	}
}

func BenchmarkFixClean(b *testing.B) {
	src, _ := Fix(benchPage(b), nil)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Fix(src, nil)
	}
}

func BenchmarkNormalize(b *testing.B) {
	src := string(benchPage(b))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(src)
	}
}

func BenchmarkLint(b *testing.B) {
	src := benchPage(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Lint(src, nil)
	}
}
