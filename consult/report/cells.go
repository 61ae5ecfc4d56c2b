package report

import "strings"

// SafeCell makes a text cell safe to open in a spreadsheet: text that
// starts with =, +, -, @, a tab or a carriage return is run as a formula
// by Excel, LibreOffice and Google Sheets, so it is written after a ' (which
// they show as text and hide). Numbers (including negative ones) are left
// as they are.
func SafeCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if s[0] == '-' || s[0] == '+' {
		if isNumber(s[1:]) {
			return s
		}
	}
	return "'" + s
}

// isNumber reports whether s is a plain decimal number such as 12 or 0.25.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	dot := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}
