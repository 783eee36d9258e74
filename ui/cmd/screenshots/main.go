// Command screenshots renders the real dashboard views, fed with the fixed
// demo data, to PNG files: go run ./ui/cmd/screenshots [-out screenshots]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/ui"
	"github.com/orderwatch/orderwatch/ui/screenshot"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

type shot struct {
	name string
	w, h int
	keys []string
}

var shots = []shot{
	{"main-table", 140, 32, nil},
	{"detail-vouchers", 160, 44, []string{"j", "j", "enter"}},
	{"esim-qr", 160, 48, []string{"3", "j", "enter", "v"}},
	{"help", 120, 32, []string{"?"}},
	{"narrow-60x15", 60, 15, nil},
	{"event-log", 120, 24, []string{"L"}},
}

func main() {
	out := flag.String("out", "screenshots", "directory for the PNG files")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, s := range shots {
		// The data arrives a few seconds before the picture, so the
		// new-row highlight has faded as it would on screen.
		now := uitest.Epoch.Add(-10 * time.Second)
		m := ui.New(ui.Options{Now: func() time.Time { return now }})
		m.Update(tea.WindowSizeMsg{Width: s.w, Height: s.h})
		m.Apply(uitest.Demo())
		now = uitest.Epoch
		for _, k := range s.keys {
			m.Update(key(k))
		}
		path := filepath.Join(*out, s.name+".png")
		if err := screenshot.SavePNG(path, m.View().Content, s.w, s.h, screenshot.Dark); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}

func key(k string) tea.KeyPressMsg {
	if k == "enter" {
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}
