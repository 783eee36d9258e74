package ui

import (
	"strings"

	"rsc.io/qr"
)

// qrQuiet is the light margin around the code, in modules.
const qrQuiet = 2

// qrLines draws text as a QR code with half blocks: each terminal cell holds
// two modules stacked. Light modules are drawn with the glyph (foreground),
// dark ones are the background, so with white-on-black colors it reads as a
// normal dark-on-light code.
func qrLines(text string) ([]string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, err
	}
	return halfBlocks(code.Size, qrQuiet, code.Black), nil
}

// halfBlocks renders a size×size bitmap with a quiet margin.
func halfBlocks(size, quiet int, black func(x, y int) bool) []string {
	n := size + 2*quiet
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		if x < 0 || y < 0 || x >= size || y >= size {
			return true
		}
		return !black(x, y)
	}
	var lines []string
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		for x := 0; x < n; x++ {
			top := light(x, y)
			bottom := y+1 < n && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}
