package exec

import (
	"bytes"
	"strings"
)

// indexFold returns the index of the first match of needle in hay,
// ignoring ASCII case; needle is lower case. It anchors on the needle's
// rarest-looking byte and scans for either case of it with IndexByte, so
// it reads the haystack at memchr speed instead of lowering it.
func indexFold(hay []byte, needle []byte, anchor int) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	lo := needle[anchor]
	up := lo
	if lo >= 'a' && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// next positions of each case of the anchor byte, at or after from
	from := anchor
	nextLo, nextUp := -2, -2
	for from <= len(hay)-(n-anchor) {
		if nextLo < from && nextLo != -1 {
			nextLo = indexFrom(hay, lo, from)
		}
		if up != lo && nextUp < from && nextUp != -1 {
			nextUp = indexFrom(hay, up, from)
		}
		p := nextLo
		if up != lo && nextUp >= 0 && (p < 0 || nextUp < p) {
			p = nextUp
		}
		if p < 0 {
			return -1
		}
		start := p - anchor
		if start+n <= len(hay) && equalFoldLower(hay[start:start+n], needle) {
			return start
		}
		from = p + 1
	}
	return -1
}

func indexFrom(hay []byte, c byte, from int) int {
	if from >= len(hay) {
		return -1
	}
	i := bytes.IndexByte(hay[from:], c)
	if i < 0 {
		return -1
	}
	return from + i
}

// equalFoldLower compares b with a lower-case needle, ignoring ASCII case.
func equalFoldLower(b, lower []byte) bool {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// indexAnchored returns the index of the first match of needle in hay,
// scanning with IndexByte for the needle's byte at anchor. bytes.Index
// scans for the first byte, and most literals start with a quote, the
// commonest byte in JSON: anchoring on a rare byte instead lets the scan
// skip most of the record between candidates.
func indexAnchored(hay []byte, needle []byte, anchor int) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	c := needle[anchor]
	for from := anchor; from <= len(hay)-(n-anchor); {
		p := indexFrom(hay[:len(hay)-(n-anchor-1)], c, from)
		if p < 0 {
			return -1
		}
		if start := p - anchor; bytes.Equal(hay[start:start+n], needle) {
			return start
		}
		from = p + 1
	}
	return -1
}

// anchorOf picks the byte of a literal least likely to occur in JSON log
// text, so that IndexByte stops rarely on false candidates. A literal
// that folds case is lower case and ranked by byteRank, which counts both
// cases of a letter; an exact one by caseRank.
func anchorOf(text []byte, fold bool) int {
	rank := caseRank
	if fold {
		rank = byteRank
	}
	best, bestRank := 0, 1<<30
	for i, c := range text {
		r := rank(c)
		if r < bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

// byteRank orders bytes by how common they are in CloudTrail JSON:
// rare letters first, then digits and common letters, then punctuation.
func byteRank(c byte) int {
	const order = "qjzxkvwyfbgphm" + "ulcdrn" + "0123456789" + "tiosae" + "-_:.@,=+ "
	for i := 0; i < len(order); i++ {
		if order[i] == c {
			return i
		}
	}
	return len(order)
}

// caseRank orders bytes by how common they are in AWS's JSON logs, case
// apart: capitals are rare outside the camel-case keys, quotes, colons and
// vowels are everywhere. The order is the byte frequencies of the sample
// logs in the project's shared data, rarest first.
func caseRank(c byte) int {
	const order = "YWXJLBOGjKUZqkxzFQVMPHRNEhDTCygSbfwvIpAlmudci" +
		"6594870312" + "on" + "/_-.,:@=+ " + "srtae" + "\"{}[]"
	if i := strings.IndexByte(order, c); i >= 0 {
		return i
	}
	return len(order)
}
