package typeset

// Character classes used by the rules. They work on runes but are only
// consulted next to a byte the scanner found interesting, so bulk Han text
// never reaches them.

// isHan reports whether r is a Han (CJK ideograph) character.
func isHan(r rune) bool {
	switch {
	case r < 0x3007:
		return false
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	case r == 0x3007: // 〇
		return true
	case r >= 0x3400 && r <= 0x4DBF:
		return true
	case r >= 0xF900 && r <= 0xFAFF:
		return true
	case r >= 0x20000 && r <= 0x2FA1F:
		return true
	case r >= 0x30000 && r <= 0x3134F:
		return true
	}
	return false
}

// isStrong reports full-width punctuation that only Chinese text uses.
func isStrong(r rune) bool {
	switch r {
	case '，', '。', '；', '：', '！', '？', '（', '）', '、',
		'《', '》', '〈', '〉', '「', '」', '『', '』', '【', '】', '〔', '〕':
		return true
	}
	return false
}

// isSoft reports punctuation Chinese text shares with other scripts (curly
// quotes, ellipsis, dash): it counts as Chinese only next to Chinese.
func isSoft(r rune) bool {
	switch r {
	case '“', '”', '‘', '’', '…', '—', '～', '·':
		return true
	}
	return false
}

// isFWAlnum reports full-width digits and Latin letters (T6).
func isFWAlnum(r rune) bool {
	return (r >= '０' && r <= '９') || (r >= 'Ａ' && r <= 'Ｚ') || (r >= 'ａ' && r <= 'ｚ')
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isAlnum(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

func isAlnumByte(b byte) bool { return isAlnum(rune(b)) }

// isTokenRune reports ASCII characters that can make up a number, a word,
// a time, an email or a path written inside Chinese text ("3:00", "1.5%",
// "9773859@qq.com").
func isTokenRune(r rune) bool {
	if isAlnum(r) {
		return true
	}
	switch r {
	case '%', '.', ':', '-', '@', '/', '_', '+', '#', '&', '=', '~':
		return true
	}
	return false
}

// isEmphasis reports Markdown emphasis markers, which are transparent when
// deciding whether punctuation stands next to Chinese.
func isEmphasis(r rune) bool { return r == '*' || r == '_' || r == '~' }

// isSpace reports spaces skipped when looking for a neighbour: ASCII space
// and U+3000 (which T7 never removes).
func isSpace(r rune) bool { return r == ' ' || r == '\u3000' }

// isEOL reports a line end or the end of the text.
func isEOL(r rune) bool { return r == '\n' || r == '\r' || r == eof }

// eof is returned by the context helpers at either end of the text.
const eof rune = -1

// neutral stands for a protected span seen as context: neither Chinese nor
// Latin, so no rule fires because of it.
const neutral rune = 0xFFFC

// interesting marks the bytes the scanner must stop at. Everything else
// (ASCII letters and digits, Han in U+4E00–U+9FFF, continuation bytes) is
// copied through untouched.
var interesting = func() (t [256]bool) {
	for _, b := range []byte(",.;:!?()\"'- \\") {
		t[b] = true
	}
	t[0xE2] = true // U+2000–U+2FFF: “ ” ‘ ’ … — ―
	t[0xE3] = true // U+3000–U+3FFF: 。
	t[0xEF] = true // U+F000–U+FFFF: full-width forms
	return t
}()

// pairByte marks the bytes the bracket and quote pairing pass must look at.
var pairByte = func() (t [256]bool) {
	for _, b := range []byte("()\"'\\") {
		t[b] = true
	}
	t[0xE2] = true
	t[0xE3] = true
	t[0xEF] = true
	return t
}()
