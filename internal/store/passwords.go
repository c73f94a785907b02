package store

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password rules: at least MinPasswordChars characters (Chinese characters
// count one each), at most MaxPasswordBytes bytes of UTF-8 (bcrypt's
// limit), not a common password and not the user's own name.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 72
)

// PasswordRule names the rule a refused password breaks.
type PasswordRule int

const (
	PasswordTooShort   PasswordRule = iota + 1 // fewer than MinPasswordChars characters
	PasswordTooLong                            // more than MaxPasswordBytes bytes
	PasswordNotUTF8                            // not valid UTF-8
	PasswordCommon                             // on the common-password list, or a listed word with digits
	PasswordOnlyDigits                         // only digits and punctuation
	PasswordRepeats                            // one short piece repeated
	PasswordHasName                            // contains the user's name
)

// PasswordError is a password the policy refuses. It wraps ErrInvalid, so
// errors.Is(err, ErrInvalid) holds; the server shows Rule in Chinese.
type PasswordError struct {
	Rule PasswordRule
}

func (e *PasswordError) Error() string {
	var why string
	switch e.Rule {
	case PasswordTooShort:
		why = fmt.Sprintf("is shorter than %d characters", MinPasswordChars)
	case PasswordTooLong:
		why = fmt.Sprintf("is longer than %d bytes", MaxPasswordBytes)
	case PasswordNotUTF8:
		why = "is not valid UTF-8"
	case PasswordCommon:
		why = "is a common password"
	case PasswordOnlyDigits:
		why = "has only digits and punctuation"
	case PasswordRepeats:
		why = "repeats one short piece"
	case PasswordHasName:
		why = "contains the user name"
	}
	return "password " + why + ": " + ErrInvalid.Error()
}

func (e *PasswordError) Unwrap() error { return ErrInvalid }

//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list as a set.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
}()

// ValidatePassword checks the password rules for the user called name
// (name may be "" when it is not known yet).
//
// Errors: *PasswordError (wrapping ErrInvalid).
func ValidatePassword(name, pw string) error {
	if !utf8.ValidString(pw) {
		return &PasswordError{PasswordNotUTF8}
	}
	if utf8.RuneCountInString(pw) < MinPasswordChars {
		return &PasswordError{PasswordTooShort}
	}
	if len(pw) > MaxPasswordBytes {
		return &PasswordError{PasswordTooLong}
	}
	lower := strings.ToLower(pw)
	core := strings.TrimFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	if core == "" {
		return &PasswordError{PasswordOnlyDigits}
	}
	if commonPasswords[lower] || commonPasswords[core] {
		return &PasswordError{PasswordCommon}
	}
	if repeats(lower) {
		return &PasswordError{PasswordRepeats}
	}
	if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
		if core == name || (utf8.RuneCountInString(name) >= 3 && strings.Contains(lower, name)) {
			return &PasswordError{PasswordHasName}
		}
	}
	return nil
}

// repeats reports whether s is one piece of at most a third of its length
// written over and over ("abcabcabc", "哈哈哈哈哈哈哈哈哈哈").
func repeats(s string) bool {
	r := []rune(s)
	for k := 1; k <= len(r)/3; k++ {
		if len(r)%k != 0 {
			continue
		}
		if strings.Repeat(string(r[:k]), len(r)/k) == s {
			return true
		}
	}
	return false
}
