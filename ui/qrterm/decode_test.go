package qrterm

import (
	"image"
	"image/color"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"
)

// rasterise paints the half-block lines the way a terminal shows them with
// light-on-dark colors: a glyph's ink is light, the cell background dark.
// Each module becomes px×px pixels; a dark border stands for the terminal
// around the code.
func rasterise(lines []string, px int) image.Image {
	rows := len(lines) * 2
	cols := len([]rune(lines[0]))
	const border = 4
	img := image.NewGray(image.Rect(0, 0, (cols+2*border)*px, (rows+2*border)*px))
	for y := range rows {
		row := []rune(lines[y/2])
		for x := range cols {
			light := false
			switch row[x] {
			case '█':
				light = true
			case '▀':
				light = y%2 == 0
			case '▄':
				light = y%2 == 1
			}
			if !light {
				continue
			}
			for dy := range px {
				for dx := range px {
					img.SetGray((x+border)*px+dx, (y+border)*px+dy, color.Gray{Y: 255})
				}
			}
		}
	}
	return img
}

// What a phone camera does: the drawn code decodes back to the LPA string.
func TestDrawnCodeDecodesBackToItsText(t *testing.T) {
	for _, lpa := range []string{
		"LPA:1$smdp.example.net$2FC3FD41F504C55C2DEBE409",
		"LPA:1$rsp-eu.simlessly.example.com$JQ-1A2B3C-4D5E6F-7G8H9I$1.3.6.1.4.1.31746",
	} {
		lines, err := Lines(lpa)
		require.NoError(t, err)
		bmp, err := gozxing.NewBinaryBitmapFromImage(rasterise(lines, 4))
		require.NoError(t, err)
		res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		require.NoError(t, err, "the drawn code must scan")
		require.Equal(t, lpa, res.GetText())
	}
}
