package commands

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gossh "golang.org/x/crypto/ssh"
)

func TestServeBadTeamFileExits2NamingIt(t *testing.T) {
	dir := isolate(t)
	team := filepath.Join(dir, "team.toml")
	require.NoError(t, os.WriteFile(team, []byte("[[member]]\nname = \"alice\"\nrole = \"agent\"\nkeys = [\"nope\"]\n"), 0o600))
	var out, errb strings.Builder
	code := Run(context.Background(), []string{"serve", "--team", team, "--listen", "127.0.0.1:0", "--state-dir", dir,
		"--journal", filepath.Join(dir, "j.db"), "--sandbox-traffic", "0"}, &out, &errb)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errb.String(), team+`: member "alice": keys[0]: not an SSH public key`)

	errb.Reset()
	code = Run(context.Background(), []string{"serve", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errb.String(), "--team FILE is required")
}

// orderwatch serve on the embedded sandbox: it prints its address and host
// key, a member's key gets the dashboard, and it stops with its context.
func TestServeCommandEndToEnd(t *testing.T) {
	dir := isolate(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer, err := gossh.NewSignerFromKey(priv)
	require.NoError(t, err)
	team := filepath.Join(dir, "team.toml")
	require.NoError(t, os.WriteFile(team, []byte(fmt.Sprintf("[[member]]\nname = \"alice\"\nrole = \"agent\"\nkeys = [%q]\n",
		strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))))), 0o600))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var code int
	var errb strings.Builder
	wg.Go(func() {
		code = runServe(ctx, []string{"--team", team, "--listen", "127.0.0.1:0", "--state-dir", filepath.Join(dir, "state"),
			"--journal", filepath.Join(dir, "j.db"), "--sandbox-traffic", "0", "--sandbox-time-scale", "0.01"}, pw, &errb)
		pw.Close()
	})
	defer func() { cancel(); wg.Wait() }()
	sc := bufio.NewScanner(pr)
	var addr, fp string
	for sc.Scan() && (addr == "" || fp == "") {
		l := sc.Text()
		if a, ok := strings.CutPrefix(l, "orderwatch serve: listening on "); ok {
			addr, _, _ = strings.Cut(a, " ")
		}
		if f, ok := strings.CutPrefix(l, "host key "); ok {
			fp = f
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.NotEmpty(t, addr, "no address printed; stderr %s", errb.String())
	require.True(t, strings.HasPrefix(fp, "SHA256:"), "fingerprint %q", fp)
	st, err := os.Stat(filepath.Join(dir, "state", "ssh_host_ed25519_key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "alice", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		Timeout: 10 * time.Second, HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if gossh.FingerprintSHA256(k) != fp {
				return fmt.Errorf("host key %s, printed %s", gossh.FingerprintSHA256(k), fp)
			}
			return nil
		}})
	require.NoError(t, err)
	defer c.Close()
	s, err := c.NewSession()
	require.NoError(t, err)
	out, _ := s.CombinedOutput("help")
	assert.Contains(t, string(out), "watch")
	cancel()
	wg.Wait()
	assert.Equal(t, exitOK, code, errb.String())
}
