package trust

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var (
	benchFirst = []string{"John", "Mary", "Ivan", "Olga", "Muhammad", "Ahmed", "Fatima", "Wei", "Li", "Jose", "Maria", "Carlos",
		"Anna", "Sergey", "Dmitriy", "Aleksandr", "Yuriy", "Ali", "Hassan", "Omar", "Juan", "Luis", "Pedro", "Miguel", "David",
		"Daniel", "Michael", "Robert", "James", "Elena", "Natalia", "Viktor", "Igor", "Abdul", "Khalid", "Yusuf", "Ibrahim",
		"Jorge", "Ricardo", "Hector", "Jianguo", "Ming", "Hui", "Xiaoping", "Kim", "Park", "Hiroshi", "Kenji", "Andrei", "Pavel"}
	benchLast = []string{"Smith", "Johnson", "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov",
		"Al-Rashid", "Hussein", "Khan", "Rahman", "Haddad", "Nasser", "Zhang", "Wang", "Liu", "Chen", "Yang", "Huang", "Zhao",
		"Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres", "Flores",
		"Rivera", "Gomez", "Diaz", "Cruz", "Morales", "Ortiz", "Gutierrez", "Chavez", "Ramos", "Ruiz", "Alvarez", "Mendoza",
		"Castillo", "Jimenez", "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Vargas", "Castro", "Guzman", "Fernandez",
		"Nakamura", "Tanaka", "Suzuki", "Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Novak", "Horvat", "Nagy", "Kowalski"}
	benchOrg = []string{"Trading", "Bank", "Holding", "Shipping", "Petroleum", "Industries", "Export", "Import", "Group",
		"Airlines", "Maritime", "Finance", "Investment", "Energy", "Metals", "Logistics", "Technologies", "Resources"}
	benchPlace = []string{"Havana", "Tehran", "Damascus", "Caracas", "Pyongyang", "Moscow", "Minsk", "Kabul", "Sinaloa",
		"Panama", "Cyprus", "Dubai", "Global", "Eastern", "Northern", "Pacific", "Atlantic", "Golden", "Silver", "Red Star"}
)

// benchEntries is a list of n entries shaped like the SDN list: two
// thirds people ("SURNAME, Given Middle", common names sharing parts),
// one third organisations, a third of them with an alias.
func benchEntries(n int) []WatchEntry {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	out := make([]WatchEntry, n)
	for i := range out {
		e := WatchEntry{ID: fmt.Sprint(i + 1), Program: "TEST"}
		if i%3 != 2 {
			e.Type = "individual"
			e.Name = fmt.Sprintf("%s, %s %s", pick(benchLast), pick(benchFirst), pick(benchFirst)+"ovich")
			if i%3 == 0 {
				e.Aliases = []string{fmt.Sprintf("%s, %s", pick(benchLast), pick(benchFirst))}
			}
		} else {
			e.Type = "entity"
			e.Name = fmt.Sprintf("%s %s %s", pick(benchPlace), pick(benchOrg), pick(benchOrg))
		}
		out[i] = e
	}
	return out
}

// BenchmarkScreen is one screening (as Service.Screen does it, without
// the allow list's read) against a list of 10,000 entries:
//
//	go test ./internal/trust -run '^$' -bench BenchmarkScreen -benchmem
func BenchmarkScreen(b *testing.B) {
	w := newWatch()
	w.swap(buildIndex("bench", "v1", "h", benchEntries(10_000)))
	names := []string{"Ivan Sidorov", "Maria Garcia Lopez", "Muhammad Al-Rashid", "习近平", "Иван Петров",
		"Havana Trading Bank", "Xavier Quenneville", "Zhang Wei"}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			hits := 0
			for b.Loop() {
				hits = len(w.screen(name, true, DefaultScreenReview))
			}
			b.ReportMetric(float64(hits), "matches")
		})
	}
}
