package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// apiClient calls a node's API with a bearer token.
type apiClient struct {
	node      string
	token     string
	tokenFile string
	// caFile is a CA to trust for an HTTPS node (crossguard certs
	// writes one), besides the system's.
	caFile string
}

// defaultTokenFile is where a node started with the default data
// directory wrote its first admin token.
var defaultTokenFile = filepath.Join("crossguard-data", "admin.token")

// addFlags adds --node, --token and --token-file to a command.
func (a *apiClient) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&a.node, "node", envOr("CROSSGUARD_NODE", "http://127.0.0.1:8080"), "API of a node of the cluster")
	f.StringVar(&a.token, "token", os.Getenv("CROSSGUARD_TOKEN"), "bearer token (or CROSSGUARD_TOKEN; prefer --token-file: arguments show in ps)")
	f.StringVar(&a.tokenFile, "token-file", envOr("CROSSGUARD_TOKEN_FILE", defaultTokenFile), "file holding the bearer token")
	f.StringVar(&a.caFile, "ca", os.Getenv("CROSSGUARD_CA"), "CA certificate to trust for an https:// node")
}

// client is an HTTP client that trusts --ca; timeout 0 is for streams.
func (a *apiClient) client(timeout time.Duration) (*http.Client, error) {
	c := &http.Client{Timeout: timeout}
	if a.caFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(a.caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s: no PEM certificate in it", a.caFile)
	}
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, Proxy: http.ProxyFromEnvironment}
	return c, nil
}

// do sends a request; timeout 0 is for a stream.
func (a *apiClient) do(req *http.Request, timeout time.Duration) (*http.Response, error) {
	c, err := a.client(timeout)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// secret is the token to send: --token, else the token file.
func (a *apiClient) secret() (string, error) {
	if a.token != "" {
		return a.token, nil
	}
	b, err := os.ReadFile(a.tokenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no token: give --token or --token-file (%s does not exist)", a.tokenFile)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// request builds an authenticated request.
func (a *apiClient) request(cmd *cobra.Command, method, path string, body io.Reader) (*http.Request, error) {
	secret, err := a.secret()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(cmd.Context(), method, strings.TrimRight(a.node, "/")+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	return req, nil
}

// get sends an authenticated GET and returns the response as it comes
// (a stream, or an answer whose status the caller interprets).
func (a *apiClient) get(cmd *cobra.Command, path string) (*http.Response, error) {
	req, err := a.request(cmd, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return a.do(req, 0)
}

// call sends a JSON body and returns the answer's body, or an error that
// carries the status and the problem document.
func (a *apiClient) call(cmd *cobra.Command, method, path string, body any) ([]byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	return a.send(cmd, method, path, "application/json", r, -1, 30*time.Second)
}

// send sends a body of the content type (its length when known, else
// -1) and returns the answer's body, or an error that carries the status
// and the problem document. timeout 0 is for a streamed body.
func (a *apiClient) send(cmd *cobra.Command, method, path, contentType string, body io.Reader, length int64, timeout time.Duration) ([]byte, error) {
	req, err := a.request(cmd, method, path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if length >= 0 {
		req.ContentLength = length
	}
	resp, err := a.do(req, timeout)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(out))
	}
	return out, nil
}
