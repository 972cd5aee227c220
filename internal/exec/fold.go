package exec

import "bytes"

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

// anchorOf picks the byte of a lower-case literal least likely to occur in
// JSON log text, so that IndexByte stops rarely on false candidates.
func anchorOf(lower []byte) int {
	best, bestRank := 0, 1<<30
	for i, c := range lower {
		r := byteRank(c)
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
