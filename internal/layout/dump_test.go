package layout
import ("testing";"fmt")
func TestDump(t *testing.T){
 c := mustLoad(t, "testdata/sample")
 e := mustEdition(t, c, "2025-06-17")
 rep, err := Estimate(c, e); if err!=nil {t.Fatal(err)}
 for _, m := range rep.Modules { fmt.Printf("%+v\n", m) }
}
