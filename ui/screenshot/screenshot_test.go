package screenshot

import (
	"image/color"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenderKeepsColorsAndBlocks(t *testing.T) {
	red := lipgloss.NewStyle().Background(lipgloss.Color("#ff0000")).Render("  ")
	img, err := Render(red+"█\nab", 4, 2, Dark)
	require.NoError(t, err)
	b := img.Bounds()
	assert.Equal(t, 4*cellW, b.Dx())
	assert.Equal(t, 2*cellH, b.Dy())
	assert.Equal(t, color.RGBA{0xff, 0, 0, 0xff}, img.RGBAAt(cellW/2, cellH/2), "background color kept")
	assert.Equal(t, Dark.Fg, img.RGBAAt(2*cellW+cellW/2, cellH/2), "full block drawn in the foreground")
	assert.Equal(t, Dark.Bg, img.RGBAAt(3*cellW+cellW/2, cellH/2), "empty cell is the theme background")
}
