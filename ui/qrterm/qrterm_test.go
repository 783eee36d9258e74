package qrterm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"rsc.io/qr"
)

// The half-block drawing must reproduce the QR bitmap module for module.
func TestHalfBlocksReproduceBitmap(t *testing.T) {
	for _, text := range []string{"LPA:1$smdp.example.net$2FC3FD41F504C55C2DEBE409", "LPA:1$rsp.example.org$" + strings.Repeat("X", 60)} {
		code, err := qr.Encode(text, qr.M)
		require.NoError(t, err)
		lines, err := Lines(text)
		require.NoError(t, err)
		n := code.Size + 2*Quiet
		require.Len(t, lines, (n+1)/2)
		for y := 0; y < n; y++ {
			row := []rune(lines[y/2])
			require.Len(t, row, n)
			for x := 0; x < n; x++ {
				var light bool
				switch row[x] {
				case '█':
					light = true
				case '▀':
					light = y%2 == 0
				case '▄':
					light = y%2 == 1
				case ' ':
					light = false
				default:
					t.Fatalf("unexpected rune %q", row[x])
				}
				mx, my := x-Quiet, y-Quiet
				inside := mx >= 0 && my >= 0 && mx < code.Size && my < code.Size
				require.Equal(t, !inside || !code.Black(mx, my), light, "module %d,%d", mx, my)
			}
		}
	}
}
