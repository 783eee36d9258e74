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
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"

	"github.com/orderwatch/orderwatch/api"
)

// Account is one provider's account: where it is and the credentials.
type Account struct {
	BaseURL       string
	APIKey        api.Secret
	APISecret     api.Secret
	WebhookSecret api.Secret
	GETPerMinute  int
}

// Section describes a provider's account settings: its table in the file,
// named after the provider ([octopus]), and its environment variables
// (OCTOPUS_API_KEY…). Provider packages register theirs from init.
type Section struct {
	Provider    api.Provider
	Title       string // for messages
	EnvPrefix   string // "OCTOPUS_": …API_KEY, …API_SECRET, …BASE_URL, …WEBHOOK_SECRET
	DefaultURL  string
	NeedsSecret bool // an API secret goes with the key
	Webhooks    bool // a webhook secret may be set
}

var (
	sectionsMu sync.Mutex
	sections   []Section // by table name
)

// RegisterSection adds a provider's account settings. It panics on a
// duplicate: two plug-ins must not claim one table.
func RegisterSection(s Section) {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	for _, o := range sections {
		if o.Provider == s.Provider {
			panic(fmt.Sprintf("config: section %q registered twice", s.Provider))
		}
	}
	sections = append(sections, s)
	slices.SortFunc(sections, func(a, b Section) int { return strings.Compare(string(a.Provider), string(b.Provider)) })
}

func registered() []Section {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	return slices.Clone(sections)
}

// Config is everything read from the environment and the file.
type Config struct {
	Path string // the file read; "" when none exists
	// Accounts are the configured providers' accounts.
	Accounts      map[api.Provider]*Account
	WebhookListen string
	JournalPath   string
	Keys          map[string][]string
	Mouse         bool
	CSVDir        string
	Alerts        Alerts
}

// Account returns the provider's account, nil when it is not configured.
func (c *Config) Account(p api.Provider) *Account { return c.Accounts[p] }

// Sandbox reports that no provider is configured: the embedded sandbox is used.
func (c *Config) Sandbox() bool { return len(c.Accounts) == 0 }

// DefaultGETPerMin is an account's GET budget unless configured.
const DefaultGETPerMin = 300

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
	Providers map[api.Provider]*fileProvider `toml:"-"` // one table per registered section
	Webhook   struct {
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

// fileType is the file's schema: fileConfig's tables plus one table per
// registered provider, so unknown fields are refused with their line in
// every table alike.
func fileType(secs []Section) reflect.Type {
	var fields []reflect.StructField
	for _, f := range reflect.VisibleFields(reflect.TypeFor[fileConfig]()) {
		if f.Tag.Get("toml") != "-" {
			f.Index, f.Offset = nil, 0
			fields = append(fields, f)
		}
	}
	for i, s := range secs {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("P%d", i), Type: reflect.TypeFor[*fileProvider](),
			Tag: reflect.StructTag(fmt.Sprintf("toml:%q", string(s.Provider)))})
	}
	return reflect.StructOf(fields)
}

func decode(path string, data []byte, fc *fileConfig) error {
	secs := registered()
	v := reflect.New(fileType(secs))
	dec := toml.NewDecoder(strings.NewReader(string(data))).DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return decodeErr(path, err)
	}
	e, out := v.Elem(), reflect.ValueOf(fc).Elem()
	for _, f := range reflect.VisibleFields(reflect.TypeFor[fileConfig]()) {
		if f.Tag.Get("toml") != "-" {
			out.FieldByIndex(f.Index).Set(e.FieldByName(f.Name))
		}
	}
	fc.Providers = map[api.Provider]*fileProvider{}
	for i, s := range secs {
		if p := e.FieldByName(fmt.Sprintf("P%d", i)).Interface().(*fileProvider); p != nil {
			fc.Providers[s.Provider] = p
		}
	}
	return nil
}

func decodeErr(path string, err error) error {
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
	for _, sec := range registered() {
		fp := fc.Providers[sec.Provider]
		if fp == nil {
			continue
		}
		a, err := sec.fromFile(p, fp)
		if err != nil {
			return err
		}
		c.account(sec.Provider, a) // credentials may still come from the environment
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

func (c *Config) account(p api.Provider, a *Account) {
	if c.Accounts == nil {
		c.Accounts = map[api.Provider]*Account{}
	}
	c.Accounts[p] = a
}

// fromFile reads the provider's table.
func (sec Section) fromFile(path string, fp *fileProvider) (*Account, error) {
	t := string(sec.Provider)
	a := &Account{BaseURL: sec.DefaultURL, GETPerMinute: DefaultGETPerMin}
	if fp.BaseURL != "" {
		a.BaseURL = fp.BaseURL
	}
	if !sec.NeedsSecret && (fp.APISecret != "" || fp.APISecretFile != "") {
		return nil, &Error{Path: path, Field: t + ".api_secret", Msg: sec.Title + " uses an API key only (api_key or api_key_file)"}
	}
	var err error
	if a.APIKey, err = secret(path, t+".api_key", fp.APIKey, fp.APIKeyFile); err != nil {
		return nil, err
	}
	if sec.NeedsSecret {
		if a.APISecret, err = secret(path, t+".api_secret", fp.APISecret, fp.APISecretFile); err != nil {
			return nil, err
		}
	}
	if sec.Webhooks {
		if a.WebhookSecret, err = secret(path, t+".webhook_secret", fp.WebhookSecret, fp.WebhookSecretFile); err != nil {
			return nil, err
		}
	}
	if err := perMinute(path, t+".get_per_minute", fp.GETPerMinute, &a.GETPerMinute); err != nil {
		return nil, err
	}
	return a, nil
}

func (c *Config) fromEnv(getenv func(string) string) error {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	secs := registered()
	baseFromEnv := map[api.Provider]bool{}
	for _, sec := range secs {
		pre := sec.EnvPrefix
		key, base := env(pre+"API_KEY"), env(pre+"BASE_URL")
		sec2 := ""
		if sec.NeedsSecret {
			sec2 = env(pre + "API_SECRET")
		}
		baseFromEnv[sec.Provider] = base != ""
		a := c.Accounts[sec.Provider]
		if key != "" || sec2 != "" || base != "" {
			if a == nil {
				a = &Account{BaseURL: sec.DefaultURL, GETPerMinute: DefaultGETPerMin}
				c.account(sec.Provider, a)
			}
			if key != "" {
				a.APIKey = api.Secret(key)
			}
			if sec2 != "" {
				a.APISecret = api.Secret(sec2)
			}
			if base != "" {
				a.BaseURL = base
			}
		}
		if ws := env(pre + "WEBHOOK_SECRET"); sec.Webhooks && ws != "" && a != nil {
			a.WebhookSecret = api.Secret(ws)
		}
	}
	for _, sec := range secs {
		a := c.Accounts[sec.Provider]
		if a == nil {
			continue
		}
		t, pre := string(sec.Provider), sec.EnvPrefix
		if _, err := api.CheckBaseURL(a.BaseURL); err != nil {
			return c.fieldErr(t+".base_url", pre+"BASE_URL", baseFromEnv[sec.Provider], err.Error())
		}
		if a.APIKey.Empty() {
			return c.missing(t+".api_key", pre+"API_KEY")
		}
		if sec.NeedsSecret && a.APISecret.Empty() {
			return c.missing(t+".api_secret", pre+"API_SECRET")
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
	for _, p := range fc.Providers {
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
