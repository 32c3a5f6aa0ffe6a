package main

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// parseWeb reads REPERTOIRE_WEB_URL and REPERTOIRE_WEB_PUBLIC. The web page
// is served on REPERTOIRE_HTTP_ADDR; its base URL defaults to that address
// (localhost for an address without a host).
func parseWeb(c *Config, getenv func(string) string) error {
	if v := strings.TrimSpace(getenv("REPERTOIRE_WEB_PUBLIC")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("REPERTOIRE_WEB_PUBLIC: %q is not true or false", v)
		}
		c.WebPublic = b
	}
	if v := strings.TrimSpace(getenv("REPERTOIRE_WEB_URL")); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("REPERTOIRE_WEB_URL: %q is not an http(s) URL such as https://repertoire.example.org", v)
		}
		if c.HTTPAddr == "" {
			return fmt.Errorf("REPERTOIRE_WEB_URL: set REPERTOIRE_HTTP_ADDR too: the web page is served there")
		}
		c.WebURL = strings.TrimRight(v, "/")
		return nil
	}
	if c.HTTPAddr != "" {
		c.WebURL = baseURLOf(c.HTTPAddr)
	}
	return nil
}

// baseURLOf is the http URL of a listen address: ":8080" is
// http://localhost:8080.
func baseURLOf(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
