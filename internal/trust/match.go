package trust

// Name matching for screening, after OFAC's own Sanctions List Search (FAQ
// 249): both names are normalised, then scored twice — Jaro-Winkler on the
// whole name, and Jaro-Winkler with Soundex per name part — and the better
// of the two is the score, from 0 to 1.
//
// Normalising: "LAST, First" is reordered for people; other scripts are
// transliterated to Latin (Cyrillic by BGN/PCGN, as OFAC spells Russian
// names; Chinese by pinyin, a Han surname apart from the given name run
// together, "习近平" → "xi jinping"; everything else by unidecode);
// accents, case and punctuation go; honorifics, company forms and a few
// particles are dropped.
//
// The per-part score pairs each token of one name with its best token of
// the other (each used once), weighted by length. A token left unpaired
// counts against the score, but a middle name (a patronymic, a second
// given name) only a quarter as much, so that "Ivan Sidorov" still matches
// "SIDOROV, Ivan Petrovich" while "John Smith" does not match "John
// Smyth-Jones". The whole-name score is scaled down by the difference in
// length, as Watchman does, since Jaro-Winkler alone rewards a shared
// prefix however long the rest.

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
	"github.com/xrash/smetrics"
)

// Matching parameters. Changing any of them changes scores: the
// evaluation test (screen_eval.csv) must pass after.
const (
	jwBoostThreshold   = 0.7  // Winkler's: no prefix boost below this Jaro
	jwPrefixSize       = 4    // Winkler's
	partFloor          = 0.8  // a token pair under this is not a pair
	shortFloor         = 0.9  // nor a pair with a token of 3 letters or fewer under this
	tokenLengthPenalty = 0.95 // a pair's score is scaled by this per letter of length difference beyond one
	soundexPart        = 0.9  // a pair that sounds alike (Soundex) scores at least this
	minorWeight        = 0.25 // an unpaired middle name counts this much of its length
	lengthCutoff       = 0.9  // whole-name lengths this close are not penalised
	lengthPenalty      = 0.3  // score *= 1 - (1-ratio)*lengthPenalty below the cutoff
	wholeMinRatio      = 0.8  // the whole-name score needs lengths at least this close
	maxPairDiff        = 5    // no pair of tokens this many letters apart or more reaches partFloor (0.95^5 < 0.8)
	maxNameRunes       = 300  // longer names are cut (SDN_Name is at most 350)
	maxTokens          = 12   // and so are names of more words
)

// nameKey is a name made ready for comparison.
type nameKey struct {
	tokens  []string
	minor   []bool   // tokens[i] is a middle name
	sounds  []string // Soundex of each token
	joined  string   // tokens joined by spaces
	compact string   // tokens run together
	// compactAlt is compact in the list's own order ("XI, Jinping":
	// "xijinping"), for names written surname first.
	compactAlt string
}

// honorifics and the like are dropped wherever they stand in a name.
var dropped = map[string]bool{
	// titles
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "sir": true,
	"dame": true, "lord": true, "lady": true, "madam": true, "mme": true, "mlle": true, "herr": true,
	"frau": true, "rev": true, "fr": true, "hon": true, "sheikh": true, "shaykh": true, "sheik": true,
	"shaikh": true, "haji": true, "hajji": true, "hadji": true, "mullah": true, "maulana": true,
	"mawlana": true, "jr": true, "sr": true, "ii": true, "iii": true, "esq": true,
	// company forms
	"ltd": true, "limited": true, "llc": true, "inc": true, "incorporated": true, "corp": true,
	"corporation": true, "co": true, "company": true, "plc": true, "sa": true, "sas": true, "sarl": true,
	"gmbh": true, "ag": true, "bv": true, "nv": true, "srl": true, "spa": true, "jsc": true, "ojsc": true,
	"pjsc": true, "cjsc": true, "ooo": true, "zao": true, "oao": true, "pao": true, "ltda": true,
	"llp": true, "lp": true, "kg": true, "pte": true, "pty": true, "bhd": true, "sdn": true,
	// particles
	"the": true, "of": true, "and": true, "de": true, "del": true, "la": true, "le": true, "da": true,
	"di": true, "du": true, "van": true, "von": true, "der": true, "den": true, "y": true,
}

// particles of Arabic and other names count as middle names: "AL
// ZAWAHIRI" without "al" is the same name.
var particles = map[string]bool{"al": true, "el": true, "bin": true, "ibn": true, "bint": true, "abu": true,
	"abd": true, "ben": true, "ould": true}

// normalize prepares name for comparison. For a person, "LAST, First" is
// reordered to "First LAST", and the middle names are marked: after the
// first word of the given names and of the surnames ("SIDOROV, Ivan
// Petrovich", "HERRERA BUITRAGO, Helmer"), or between the first and last
// words of a name without a comma. A hyphenated word is one word.
func normalize(name string, person bool) nameKey {
	if utf8.RuneCountInString(name) > maxNameRunes {
		name = string([]rune(name)[:maxNameRunes])
	}
	type tok struct {
		s     string
		minor bool
	}
	// group splits words into tokens; comma tells how middle names go.
	group := func(words []string, comma bool) []tok {
		var out []tok
		first, last := -1, -1
		subs := make([][]string, len(words))
		for i, w := range words {
			for _, t := range strings.Fields(latin(w)) {
				if !dropped[t] {
					subs[i] = append(subs[i], t)
				}
			}
			if len(subs[i]) > 0 && !(len(subs[i]) == 1 && particles[subs[i][0]]) {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		for i := range words {
			major := !person || i == first || (!comma && (i == last || len(words) < 3))
			for _, t := range subs[i] {
				out = append(out, tok{t, person && (!major || particles[t])})
			}
		}
		return out
	}
	var toks, alt []tok
	if last, given, ok := strings.Cut(name, ","); person && ok && strings.TrimSpace(given) != "" {
		g, l := group(strings.Fields(given), true), group(strings.Fields(last), true)
		toks = append(g, l...)
		alt = append(slices.Clone(l), g...)
	} else {
		toks = group(strings.Fields(name), false)
	}
	if len(toks) == 0 {
		// A name that is all honorifics keeps them.
		for _, t := range strings.Fields(latin(name)) {
			toks = append(toks, tok{t, false})
		}
		alt = nil
	}
	if len(toks) > maxTokens {
		toks = toks[:maxTokens]
	}
	k := nameKey{tokens: make([]string, len(toks)), minor: make([]bool, len(toks)), sounds: make([]string, len(toks))}
	for i, t := range toks {
		k.tokens[i], k.minor[i] = t.s, t.minor
		if len(t.s) >= 4 {
			k.sounds[i] = smetrics.Soundex(t.s)
		}
	}
	k.joined = strings.Join(k.tokens, " ")
	k.compact = strings.Join(k.tokens, "")
	k.compactAlt = k.compact
	if alt != nil {
		var b strings.Builder
		for _, t := range alt {
			b.WriteString(t.s)
		}
		k.compactAlt = b.String()
	}
	return k
}

// latin transliterates s to lower-case ASCII letters and digits, with a
// space wherever punctuation or a change of word was; apostrophes and
// dots join ("O'Brien" → "obrien", "S.A." → "sa").
func latin(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r < utf8.RuneSelf:
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				b.WriteRune(r)
			case r >= 'A' && r <= 'Z':
				b.WriteRune(r + 'a' - 'A')
			case r == '\'' || r == '.' || r == '`':
			default:
				b.WriteByte(' ')
			}
		case r == '\u2019' || r == '\u2018' || r == '\u02bc' || r == '\u02bb':
			// typographic apostrophes, and the ʻokina of Arabic romanisation
		case unicode.Is(unicode.Han, r):
			// A run of Han characters is a name: the first syllable
			// the surname, the rest the given name, run together.
			j := i
			for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
				j++
			}
			b.WriteByte(' ')
			for k := i; k < j; k++ {
				b.WriteString(strings.ReplaceAll(asciiLower(unidecode.Unidecode(string(rs[k]))), " ", ""))
				if k == i {
					b.WriteByte(' ')
				}
			}
			b.WriteByte(' ')
			i = j - 1
		case unicode.Is(unicode.Cyrillic, r):
			prev := rune(0)
			if i > 0 {
				prev = rs[i-1]
			}
			b.WriteString(cyrillic(r, prev))
		default:
			b.WriteString(asciiLower(unidecode.Unidecode(string(r))))
		}
	}
	return b.String()
}

// asciiLower keeps the letters and digits of an ASCII transliteration,
// lower-cased, and turns anything else into a space.
func asciiLower(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c == '\'':
		default:
			out = append(out, ' ')
		}
	}
	return string(out)
}

// bgn is BGN/PCGN romanisation of Russian (and the Ukrainian and
// Belarusian letters), which OFAC's lists follow: Yevgeniy, Aleksandr.
var bgn = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "w",
}

// cyrillic romanises r, which follows prev; е and ё are "ye"/"yo" at the
// start of a word and after a vowel or a sign, as BGN/PCGN writes them.
func cyrillic(r, prev rune) string {
	lr := unicode.ToLower(r)
	if lr == 'е' || lr == 'ё' {
		lp := unicode.ToLower(prev)
		if prev == 0 || !unicode.IsLetter(prev) || strings.ContainsRune("аеёиоуыэюяйъьіїє", lp) {
			if lr == 'ё' {
				return "yo"
			}
			return "ye"
		}
	}
	if s, ok := bgn[lr]; ok {
		return s
	}
	return asciiLower(unidecode.Unidecode(string(r)))
}

func jw(a, b string) float64 {
	if a == b {
		return 1
	}
	return smetrics.JaroWinkler(a, b, jwBoostThreshold, jwPrefixSize)
}

// similarity is q's score against e, from 0 to 1: the better of the
// whole-name and the per-part scores.
func similarity(q, e *nameKey) float64 {
	if len(q.tokens) == 0 || len(e.tokens) == 0 {
		return 0
	}
	if q.compact == e.compact || q.compact == e.compactAlt || q.compactAlt == e.compact {
		return 1
	}
	return max(wholeScore(q, e), partScore(q, e))
}

// wholeScore compares the names as strings. It counts only when the names
// have different numbers of words, which is when they may be split
// differently ("Al Qaida", "Alqaida"); with as many words on each side the
// part score is the fairer one (Jaro-Winkler on "jane smith" and "john
// smith" is high for the shared surname alone).
func wholeScore(q, e *nameKey) float64 {
	if !wholeApplies(q, e) {
		return 0
	}
	s := jw(q.compact, e.compact)
	if e.compactAlt != e.compact {
		s = max(s, jw(q.compact, e.compactAlt))
	}
	a, b := len(q.compact), len(e.compact)
	ratio := float64(min(a, b)) / float64(max(a, b))
	if ratio < lengthCutoff {
		s *= 1 - (1-ratio)*lengthPenalty
	}
	return s
}

// tokenScore is Jaro-Winkler on two name parts, less 5% for each letter
// of difference in length beyond the first: a typo or a doubled letter
// costs little, but "wei" is not "weiming", nor "aleksandr"
// "aleksandrovich", however alike their prefixes.
func tokenScore(a, b string) float64 {
	s := jw(a, b)
	if d := len(a) - len(b); d > 1 || d < -1 {
		s *= math.Pow(tokenLengthPenalty, float64(max(d, -d)-1))
	}
	return s
}

// wholeApplies reports whether the whole-name score is computed: the names
// have different numbers of words but about the same letters (a word
// missing or added is the part score's business).
func wholeApplies(q, e *nameKey) bool {
	a, b := len(q.compact), len(e.compact)
	return len(q.tokens) != len(e.tokens) && float64(min(a, b)) >= wholeMinRatio*float64(max(a, b))
}

// partBound is the most partScore(q, e) can be when only the query tokens
// in mask can pair: a pair scores at most 1 and its entry token is at most
// maxPairDiff letters longer; every other query token is unpaired.
func partBound(q *nameKey, mask uint16) float64 {
	var got, miss float64
	for i, t := range q.tokens {
		w := float64(len(t))
		switch {
		case mask&(1<<i) != 0:
			got += 2*w + maxPairDiff
		case q.minor[i]:
			miss += w * minorWeight
		default:
			miss += w
		}
	}
	if got == 0 {
		return 0
	}
	return got / (got + miss)
}

// tokenBound is the most tokenScore can be for tokens of lengths la and
// lb: Jaro with every letter of the shorter one matched, the full prefix
// boost, and the length penalty.
func tokenBound(la, lb int) float64 {
	lo, hi := float64(min(la, lb)), float64(max(la, lb))
	j := (2 + lo/hi) / 3
	s := j + float64(jwPrefixSize)*0.1*(1-j)
	if d := hi - lo; d > 1 {
		s *= math.Pow(tokenLengthPenalty, d-1)
	}
	return s
}

// partScore pairs tokens greedily, best pairs first.
func partScore(q, e *nameKey) float64 {
	nq, ne := len(q.tokens), len(e.tokens)
	type pair struct {
		i, j int
		s    float64
	}
	var buf [maxTokens * maxTokens]pair
	pairs := buf[:0]
	for i, a := range q.tokens {
		for j, b := range e.tokens {
			if tokenBound(len(a), len(b)) < partFloor {
				continue
			}
			s := tokenScore(a, b)
			if s >= partFloor && s < soundexPart && q.sounds[i] != "" && q.sounds[i] == e.sounds[j] {
				s = soundexPart
			}
			if s >= partFloor && (s >= shortFloor || min(len(a), len(b)) > 3) {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		switch {
		case x.s > y.s:
			return -1
		case x.s < y.s:
			return 1
		}
		return (x.i + x.j) - (y.i + y.j)
	})
	var usedQ, usedE [maxTokens]bool
	var got, total float64
	for _, p := range pairs {
		if usedQ[p.i] || usedE[p.j] {
			continue
		}
		usedQ[p.i], usedE[p.j] = true, true
		w := float64(len(q.tokens[p.i]) + len(e.tokens[p.j]))
		got += p.s * w
		total += w
	}
	unpaired := func(k *nameKey, used []bool, n int) {
		for i := 0; i < n; i++ {
			if used[i] {
				continue
			}
			w := float64(len(k.tokens[i]))
			if k.minor[i] {
				w *= minorWeight
			}
			total += w
		}
	}
	unpaired(q, usedQ[:], nq)
	unpaired(e, usedE[:], ne)
	if total == 0 {
		return 0
	}
	return got / total
}

// indexKeys are the buckets token i of a name is filed under (and looked
// up by): its first three letters, and its Soundex without a leading "y"
// before a vowel (Yevgeniy and Evgeny, Yuriy and Iouri sound alike).
func indexKeys(k *nameKey, i int, add func(bucket)) {
	t := k.tokens[i]
	add(newBucket('p', t, 3))
	if k.sounds[i] != "" {
		if t[0] == 'y' && strings.IndexByte("aeiou", t[1]) >= 0 {
			add(newBucket('s', smetrics.Soundex(t[1:]), 4))
		} else {
			add(newBucket('s', k.sounds[i], 4))
		}
	}
}

// bucket names a candidate bucket: a kind ('p' prefix, 's' Soundex, 'c'
// compact prefix) and up to four letters.
type bucket [5]byte

func newBucket(kind byte, s string, n int) bucket {
	b := bucket{kind}
	copy(b[1:], s[:min(n, len(s))])
	return b
}
