// Package qrterm draws QR codes in a terminal with half blocks, two modules
// per cell, so that a phone camera can scan an eSIM activation code off the
// screen. The dashboard and the order form share it.
package qrterm

import (
	"strings"

	"rsc.io/qr"
)

// Quiet is the light margin around the code, in modules (the standard asks
// for 4; 2 scans fine and saves screen space).
const Quiet = 2

// Lines draws text as a QR code (error correction M). Light modules are the
// glyph and dark ones the background, so light-on-dark colors read as a
// normal dark-on-light code.
func Lines(text string) ([]string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, err
	}
	return HalfBlocks(code.Size, Quiet, code.Black), nil
}

// HalfBlocks renders a size×size bitmap with a light margin of quiet modules.
func HalfBlocks(size, quiet int, black func(x, y int) bool) []string {
	n := size + 2*quiet
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		if x < 0 || y < 0 || x >= size || y >= size {
			return true
		}
		return !black(x, y)
	}
	lines := make([]string, 0, (n+1)/2)
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		for x := 0; x < n; x++ {
			top := light(x, y)
			bottom := y+1 >= n || light(x, y+1) // past the last row is margin too
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
