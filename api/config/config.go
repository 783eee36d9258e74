// Package config reads orderwatch's configuration: the environment first, then
// a TOML file under the user's config directory. With no provider configured
// the program runs on the embedded sandbox. Secrets come from the environment
// or from files that only their owner can read.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/orderwatch/orderwatch/api"
)

// Octopus is the Octopus Cards account.
type Octopus struct {
	BaseURL       string
	APIKey        api.Secret
	APISecret     api.Secret
	WebhookSecret api.Secret
	GETPerMinute  int
}

// OneClick is the OneClickDz account.
type OneClick struct {
	BaseURL      string
	APIKey       api.Secret
	GETPerMinute int
}

// Config is everything read from the environment and the file.
type Config struct {
	Path          string // the file read; "" when none exists
	Octopus       *Octopus
	OneClick      *OneClick
	WebhookListen string
	JournalPath   string
	Keys          map[string][]string
	Mouse         bool
	CSVDir        string
	Alerts        Alerts
}

// Sandbox reports that no provider is configured: the embedded sandbox is used.
func (c *Config) Sandbox() bool { return c.Octopus == nil && c.OneClick == nil }

const (
	DefaultOctopusURL  = "https://api.octopuscards.io"
	DefaultOneClickURL = "https://api.oneclickdz.com"
	DefaultGETPerMin   = 300
)

type fileProvider struct {
	BaseURL           string `toml:"base_url"`
	APIKey            string `toml:"api_key"`
	APIKeyFile        string `toml:"api_key_file"`
	APISecret         string `toml:"api_secret"`
	APISecretFile     string `toml:"api_secret_file"`
	WebhookSecret     string `toml:"webhook_secret"`
	WebhookSecretFile string `toml:"webhook_secret_file"`
	GETPerMinute      *int   `toml:"get_per_minute"`
}

type fileConfig struct {
	Octopus  *fileProvider `toml:"octopus"`
	OneClick *fileProvider `toml:"oneclickdz"`
	Webhook  struct {
		Listen string `toml:"listen"`
	} `toml:"webhook"`
	Journal struct {
		Path string `toml:"path"`
	} `toml:"journal"`
	UI struct {
		Mouse  bool   `toml:"mouse"`
		CSVDir string `toml:"csv_dir"`
	} `toml:"ui"`
	Keys   map[string][]string `toml:"keys"`
	Alerts fileAlerts          `toml:"alerts"`
}

// Error names the file and the field at fault.
type Error struct {
	Path  string
	Field string
	Msg   string
}

func (e *Error) Error() string {
	where := e.Path
	if where == "" {
		where = "environment"
	}
	if e.Field != "" {
		return fmt.Sprintf("config %s: %s: %s", where, e.Field, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", where, e.Msg)
}

// DefaultPath is <user config dir>/orderwatch/config.toml.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "orderwatch", "config.toml")
}

// DefaultJournalPath is <user config dir>/orderwatch/journal.db.
func DefaultJournalPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "orderwatch-journal.db"
	}
	return filepath.Join(dir, "orderwatch", "journal.db")
}

// Load reads the file at path (DefaultPath when empty; a missing default file
// is not an error, a missing named file is) and then the environment, which
// wins. getenv is os.Getenv in production.
func Load(path string, getenv func(string) string) (*Config, error) {
	named := path != ""
	if !named {
		path = DefaultPath()
	}
	cfg := &Config{JournalPath: DefaultJournalPath()}
	var fc fileConfig
	if path != "" {
		data, err := readPrivate(path, false)
		switch {
		case err == nil:
			cfg.Path = path
			if err := decode(path, data, &fc); err != nil {
				return nil, err
			}
		case errors.Is(err, fs.ErrNotExist) && !named:
		default:
			return nil, &Error{Path: path, Msg: err.Error()}
		}
	}
	if err := cfg.fromFile(&fc); err != nil {
		return nil, err
	}
	if err := cfg.fromEnv(getenv); err != nil {
		return nil, err
	}
	return cfg, nil
}

func decode(path string, data []byte, fc *fileConfig) error {
	dec := toml.NewDecoder(strings.NewReader(string(data))).DisallowUnknownFields()
	err := dec.Decode(fc)
	if err == nil {
		return nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		row, _ := e.Position()
		return &Error{Path: path, Field: strings.Join(e.Key(), "."), Msg: fmt.Sprintf("unknown field (line %d)", row)}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return &Error{Path: path, Field: strings.Join(de.Key(), "."), Msg: fmt.Sprintf("%s (line %d, column %d)", de.Error(), row, col)}
	}
	return &Error{Path: path, Msg: err.Error()}
}

func (c *Config) fromFile(fc *fileConfig) error {
	p := c.Path
	if inlineSecrets(fc) {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			return &Error{Path: p, Msg: fmt.Sprintf("holds secrets but is readable by others (mode %04o): chmod 600 it, or use *_file / environment variables", st.Mode().Perm())}
		}
	}
	if fc.Octopus != nil {
		o := &Octopus{BaseURL: DefaultOctopusURL, GETPerMinute: DefaultGETPerMin}
		if fc.Octopus.BaseURL != "" {
			o.BaseURL = fc.Octopus.BaseURL
		}
		var err error
		if o.APIKey, err = secret(p, "octopus.api_key", fc.Octopus.APIKey, fc.Octopus.APIKeyFile); err != nil {
			return err
		}
		if o.APISecret, err = secret(p, "octopus.api_secret", fc.Octopus.APISecret, fc.Octopus.APISecretFile); err != nil {
			return err
		}
		if o.WebhookSecret, err = secret(p, "octopus.webhook_secret", fc.Octopus.WebhookSecret, fc.Octopus.WebhookSecretFile); err != nil {
			return err
		}
		if err := perMinute(p, "octopus.get_per_minute", fc.Octopus.GETPerMinute, &o.GETPerMinute); err != nil {
			return err
		}
		c.Octopus = o // credentials may still come from the environment
	}
	if fc.OneClick != nil {
		o := &OneClick{BaseURL: DefaultOneClickURL, GETPerMinute: DefaultGETPerMin}
		if fc.OneClick.BaseURL != "" {
			o.BaseURL = fc.OneClick.BaseURL
		}
		if fc.OneClick.APISecret != "" || fc.OneClick.APISecretFile != "" {
			return &Error{Path: p, Field: "oneclickdz.api_secret", Msg: "OneClickDz uses an API key only (api_key or api_key_file)"}
		}
		var err error
		if o.APIKey, err = secret(p, "oneclickdz.api_key", fc.OneClick.APIKey, fc.OneClick.APIKeyFile); err != nil {
			return err
		}
		if err := perMinute(p, "oneclickdz.get_per_minute", fc.OneClick.GETPerMinute, &o.GETPerMinute); err != nil {
			return err
		}
		c.OneClick = o
	}
	if fc.Webhook.Listen != "" {
		if err := checkListen(fc.Webhook.Listen); err != nil {
			return &Error{Path: p, Field: "webhook.listen", Msg: err.Error()}
		}
		c.WebhookListen = fc.Webhook.Listen
	}
	if fc.Journal.Path != "" {
		c.JournalPath = expandHome(fc.Journal.Path)
	}
	c.Mouse = fc.UI.Mouse
	c.CSVDir = expandHome(fc.UI.CSVDir) // the README's own example is "~/exports"
	for action, keys := range fc.Keys {
		if len(keys) == 0 {
			return &Error{Path: p, Field: "keys." + action, Msg: "needs at least one key"}
		}
		for _, k := range keys {
			if strings.TrimSpace(k) == "" {
				return &Error{Path: p, Field: "keys." + action, Msg: "empty key name"}
			}
		}
	}
	c.Keys = fc.Keys
	var err error
	c.Alerts, err = parseAlerts(p, &fc.Alerts)
	return err
}

func (c *Config) fromEnv(getenv func(string) string) error {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	key, sec, base := env("OCTOPUS_API_KEY"), env("OCTOPUS_API_SECRET"), env("OCTOPUS_BASE_URL")
	if key != "" || sec != "" || base != "" {
		if c.Octopus == nil {
			c.Octopus = &Octopus{BaseURL: DefaultOctopusURL, GETPerMinute: DefaultGETPerMin}
		}
		if key != "" {
			c.Octopus.APIKey = api.Secret(key)
		}
		if sec != "" {
			c.Octopus.APISecret = api.Secret(sec)
		}
		if base != "" {
			c.Octopus.BaseURL = base
		}
	}
	if ws := env("OCTOPUS_WEBHOOK_SECRET"); ws != "" && c.Octopus != nil {
		c.Octopus.WebhookSecret = api.Secret(ws)
	}
	okey, obase := env("ONECLICKDZ_API_KEY"), env("ONECLICKDZ_BASE_URL")
	if okey != "" || obase != "" {
		if c.OneClick == nil {
			c.OneClick = &OneClick{BaseURL: DefaultOneClickURL, GETPerMinute: DefaultGETPerMin}
		}
		if okey != "" {
			c.OneClick.APIKey = api.Secret(okey)
		}
		if obase != "" {
			c.OneClick.BaseURL = obase
		}
	}
	if o := c.Octopus; o != nil {
		if _, err := api.CheckBaseURL(o.BaseURL); err != nil {
			return c.fieldErr("octopus.base_url", "OCTOPUS_BASE_URL", base != "", err.Error())
		}
		if o.APIKey.Empty() {
			return c.missing("octopus.api_key", "OCTOPUS_API_KEY")
		}
		if o.APISecret.Empty() {
			return c.missing("octopus.api_secret", "OCTOPUS_API_SECRET")
		}
	}
	if o := c.OneClick; o != nil {
		if _, err := api.CheckBaseURL(o.BaseURL); err != nil {
			return c.fieldErr("oneclickdz.base_url", "ONECLICKDZ_BASE_URL", obase != "", err.Error())
		}
		if o.APIKey.Empty() {
			return c.missing("oneclickdz.api_key", "ONECLICKDZ_API_KEY")
		}
	}
	return nil
}

func (c *Config) missing(field, envName string) error {
	return &Error{Path: c.Path, Field: field, Msg: "not set (set " + envName + " or " + field + "_file)"}
}

func (c *Config) fieldErr(field, envName string, fromEnv bool, msg string) error {
	if fromEnv {
		return &Error{Field: envName, Msg: msg}
	}
	return &Error{Path: c.Path, Field: field, Msg: msg}
}

func inlineSecrets(fc *fileConfig) bool {
	for _, p := range []*fileProvider{fc.Octopus, fc.OneClick} {
		if p != nil && (p.APIKey != "" || p.APISecret != "" || p.WebhookSecret != "") {
			return true
		}
	}
	return false
}

func perMinute(path, field string, v *int, dst *int) error {
	if v == nil {
		return nil
	}
	if *v < 1 || *v > 100000 {
		return &Error{Path: path, Field: field, Msg: fmt.Sprintf("%d is out of range 1..100000", *v)}
	}
	*dst = *v
	return nil
}

// secret takes a value inline (the config file's own permissions were checked)
// or from a file that must be private too.
func secret(path, field, inline, file string) (api.Secret, error) {
	if inline != "" && file != "" {
		return "", &Error{Path: path, Field: field, Msg: "set either the value or the _file, not both"}
	}
	if inline != "" {
		return api.Secret(strings.TrimSpace(inline)), nil
	}
	if file == "" {
		return "", nil
	}
	data, err := readPrivate(expandHome(file), true)
	if err != nil {
		return "", &Error{Path: path, Field: field + "_file", Msg: err.Error()}
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return "", &Error{Path: path, Field: field + "_file", Msg: "file is empty"}
	}
	return api.Secret(v), nil
}

// readPrivate reads a file; strict also refuses one that group or others can
// read. The config file itself is checked only when it holds secrets.
func readPrivate(path string, strict bool) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	if strict && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %04o): chmod 600 it", path, st.Mode().Perm())
	}
	return os.ReadFile(path)
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[2:])
		}
	}
	return p
}

func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: want HOST:PORT", addr)
	}
	if port == "" {
		return fmt.Errorf("%q: missing port", addr)
	}
	if host != "" && !api.IsLoopbackHost(host) {
		return fmt.Errorf("%q: the webhook receiver listens on loopback unless started with --webhook-public", addr)
	}
	return nil
}
