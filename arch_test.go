package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The rules between packages (README, "Architecture"), checked on the
// source as built.

// The engine and the UI know providers only through package api: no
// non-test package under engine/ or ui/ depends on a provider client or a
// sandbox, directly or not.
func TestEngineAndUIImportNoProvider(t *testing.T) {
	pkgs, err := exec.Command("go", "list", "./engine/...", "./ui/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, pkgs)
	}
	if n := len(strings.Fields(string(pkgs))); n < 5 {
		t.Fatalf("go list found %d packages under engine/ and ui/: the check would prove nothing", n)
	}
	for _, p := range strings.Fields(string(pkgs)) {
		deps, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", p).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", p, err, deps)
		}
		for _, d := range strings.Fields(string(deps)) {
			if forbiddenDep(d) {
				t.Errorf("%s depends on %s", p, d)
			}
		}
	}
}

func forbiddenDep(path string) bool {
	const mod = "github.com/orderwatch/orderwatch/"
	for _, p := range []string{"api/octopus", "api/oneclick", "api/sandbox"} {
		if path == mod+p || strings.HasPrefix(path, mod+p+"/") {
			return true
		}
	}
	return false
}

// identity names a built-in provider or vertical by its constant.
var identity = regexp.MustCompile(`\bapi\.(Provider(Octopus|OneClick)|Vertical(Voucher|Topup|ESIM|Mobile|Internet|GiftCard)|AllVerticals)\b`)

// No non-test file of the engine, the dashboard or the command wiring names
// a built-in provider or vertical: they work from the registry and the
// capabilities of the clients. The exceptions are listed with their reason.
func TestNoProviderIdentityOutsideProviders(t *testing.T) {
	pending := map[string]string{
		"ui/uitest": "fixture orders of the built-in providers for the dashboard's tests",
	}
	checked := 0
	for _, root := range []string{"engine", "ui", "commands", "keymap"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			if _, ok := pending[filepath.ToSlash(filepath.Dir(path))]; ok {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			checked++
			for _, m := range identity.FindAllString(string(src), -1) {
				t.Errorf("%s names %s", path, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d files checked", checked)
	}
}
