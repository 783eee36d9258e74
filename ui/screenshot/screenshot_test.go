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

func TestRenderDrawsTheHeavyVerticalBar(t *testing.T) {
	img, err := Render("┃", 1, 1, Dark)
	require.NoError(t, err)
	assert.Equal(t, Dark.Fg, img.RGBAAt(cellW/2, cellH/2), "drawn as a bar in the middle")
	assert.Equal(t, Dark.Bg, img.RGBAAt(0, cellH/2), "the sides stay background")
}

func TestMissingGlyphsAreSubstituted(t *testing.T) {
	once.Do(loadFonts)
	require.NoError(t, fontErr)
	_, has := regular.GlyphAdvance('✓')
	require.False(t, has, "Go Mono has no check mark")
	assert.Equal(t, "√", glyph(regular, "✓"))
	assert.Equal(t, "►", glyph(regular, "▸"))
	assert.Equal(t, "a", glyph(regular, "a"), "glyphs the font has are kept")
}
