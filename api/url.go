package api

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// IsLoopbackHost reports whether host (no port) is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckBaseURL parses a provider base URL. Credentials travel over https://
// only, except to a loopback address (the embedded sandbox).
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("%q: credentials are sent over https:// only (plain http:// is allowed to loopback addresses)", raw)
		}
	default:
		return nil, fmt.Errorf("%q: scheme must be https", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL must not carry credentials")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// TrimVersion drops a trailing version segment (and slashes) from a base
// URL's path: providers document their base URL both with and without it
// ("https://api.oneclickdz.com/v3"), and clients add it to every path.
func TrimVersion(u *url.URL, version string) {
	p := strings.TrimRight(u.Path, "/")
	if strings.HasSuffix(strings.ToLower(p), strings.ToLower(version)) {
		p = p[:len(p)-len(version)]
	}
	u.Path = strings.TrimRight(p, "/")
	u.RawPath = ""
}

// RequestURL is u with its query dropped, for error messages.
func RequestURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return c.String()
}
