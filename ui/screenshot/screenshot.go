// Package screenshot turns a view's ANSI content into a PNG: the cells are
// parsed with ultraviolet and drawn with the Go Mono fonts, colors kept.
package screenshot

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"sync"

	uv "github.com/charmbracelet/ultraviolet"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Theme is the terminal's default colors.
type Theme struct {
	Fg, Bg color.Color
}

// Dark is a dark terminal.
var Dark = Theme{Fg: color.RGBA{0xd4, 0xd4, 0xd8, 0xff}, Bg: color.RGBA{0x18, 0x18, 0x1b, 0xff}}

const fontSize = 15

var (
	once             sync.Once
	regular, bold    font.Face
	cellW, cellH, as int
	fontErr          error
)

func loadFonts() {
	face := func(ttf []byte) font.Face {
		f, err := opentype.Parse(ttf)
		if err != nil {
			fontErr = err
			return nil
		}
		fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: fontSize, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			fontErr = err
			return nil
		}
		return fc
	}
	regular, bold = face(gomono.TTF), face(gomonobold.TTF)
	if fontErr != nil {
		return
	}
	adv, _ := regular.GlyphAdvance('M')
	m := regular.Metrics()
	cellW = adv.Ceil()
	cellH = (m.Ascent + m.Descent).Ceil() + 2
	as = m.Ascent.Ceil() + 1
}

// Render draws content (a view's styled text) as a w×h cell terminal.
func Render(content string, w, h int, th Theme) (*image.RGBA, error) {
	once.Do(loadFonts)
	if fontErr != nil {
		return nil, fontErr
	}
	buf := uv.NewScreenBuffer(w, h)
	uv.NewStyledString(content).Draw(buf, buf.Bounds())
	img := image.NewRGBA(image.Rect(0, 0, w*cellW, h*cellH))
	draw.Draw(img, img.Bounds(), image.NewUniform(th.Bg), image.Point{}, draw.Src)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := buf.CellAt(x, y)
			if c == nil || c.Width == 0 {
				continue
			}
			drawCell(img, x, y, c, th)
		}
	}
	return img, nil
}

func drawCell(img *image.RGBA, x, y int, c *uv.Cell, th Theme) {
	fg, bg := th.Fg, th.Bg
	if c.Style.Fg != nil {
		fg = c.Style.Fg
	}
	if c.Style.Bg != nil {
		bg = c.Style.Bg
	}
	if c.Style.Attrs&uv.AttrReverse != 0 {
		fg, bg = bg, fg
	}
	if c.Style.Attrs&uv.AttrFaint != 0 {
		fg = mix(fg, bg)
	}
	wd := max(c.Width, 1)
	r := image.Rect(x*cellW, y*cellH, (x+wd)*cellW, (y+1)*cellH)
	draw.Draw(img, r, image.NewUniform(bg), image.Point{}, draw.Src)
	// Block elements are drawn as rectangles so QR codes stay exact.
	switch c.Content {
	case "█":
		draw.Draw(img, r, image.NewUniform(fg), image.Point{}, draw.Src)
		return
	case "▀":
		draw.Draw(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+cellH/2), image.NewUniform(fg), image.Point{}, draw.Src)
		return
	case "▄":
		draw.Draw(img, image.Rect(r.Min.X, r.Min.Y+cellH/2, r.Max.X, r.Max.Y), image.NewUniform(fg), image.Point{}, draw.Src)
		return
	case "┃":
		// Not in Go Mono: huh marks the focused field with it.
		mid, half := (r.Min.X+r.Max.X)/2, max(cellW/8, 1)
		draw.Draw(img, image.Rect(mid-half, r.Min.Y, mid+half, r.Max.Y), image.NewUniform(fg), image.Point{}, draw.Src)
		return
	case "", " ":
	default:
		face := regular
		if c.Style.Attrs&uv.AttrBold != 0 {
			face = bold
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(fg), Face: face,
			Dot: fixed.P(r.Min.X, r.Min.Y+as)}
		d.DrawString(glyph(face, c.Content))
	}
	if c.Style.Underline != uv.UnderlineNone {
		draw.Draw(img, image.Rect(r.Min.X, r.Max.Y-2, r.Max.X, r.Max.Y-1), image.NewUniform(fg), image.Point{}, draw.Src)
	}
}

// substitutes stand in for glyphs Go Mono lacks, so no cell shows a box.
var substitutes = map[string]string{"▸": "►", "▶": "►", "✓": "√", "✗": "×", "⚠": "!"}

func glyph(face font.Face, s string) string {
	for _, r := range s {
		if _, ok := face.GlyphAdvance(r); !ok {
			if sub, ok := substitutes[s]; ok {
				return sub
			}
			return s
		}
	}
	return s
}

func mix(a, b color.Color) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	return color.RGBA{uint8((ar + br) / 2 >> 8), uint8((ag + bg) / 2 >> 8), uint8((ab + bb) / 2 >> 8), 0xff}
}

// WritePNG renders content and writes it as PNG.
func WritePNG(wr io.Writer, content string, w, h int, th Theme) error {
	img, err := Render(content, w, h, th)
	if err != nil {
		return err
	}
	return png.Encode(wr, img)
}

// SavePNG writes the PNG to path.
func SavePNG(path, content string, w, h int, th Theme) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WritePNG(f, content, w, h, th); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
