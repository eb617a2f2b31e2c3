package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/crossguard/crossguard/watchlist"
)

// ReplayedType is the problem type a cluster answers when a message it
// already received arrives again: the sender knows it was delivered.
const ReplayedType = "urn:crossguard:federation:replayed"

// ErrUnreachable means a partner could not be asked (down, cut off, an
// error on its side): the caller retries later.
var ErrUnreachable = errors.New("partner unreachable")

// Client calls partners' APIs with the partner token each issued to this
// cluster.
type Client struct {
	// HTTP carries the calls (with a client certificate when partner
	// traffic uses mutual TLS).
	HTTP *http.Client
}

// Feed fetches a page of the partner's feed after the cursor.
func (c Client) Feed(ctx context.Context, p watchlist.Partner, since uint64) (Envelope, error) {
	u := strings.TrimRight(p.URL, "/") + "/v1/federation/alerts?since=" + strconv.FormatUint(since, 10)
	var env Envelope
	return env, c.call(ctx, p, http.MethodGet, u, nil, &env)
}

// Send delivers one queued message. A message the partner already
// received is delivered too (errors.Is(err, watchlist.ErrReplayed)).
func (c Client) Send(ctx context.Context, p watchlist.Partner, env Envelope) error {
	return c.call(ctx, p, http.MethodPost, strings.TrimRight(p.URL, "/")+"/v1/federation/messages", env, nil)
}

// Query asks the partner a hit/no-hit query; the answer is signed.
func (c Client) Query(ctx context.Context, p watchlist.Partner, env Envelope) (Envelope, error) {
	var out Envelope
	return out, c.call(ctx, p, http.MethodPost, strings.TrimRight(p.URL, "/")+"/v1/federation/query", env, &out)
}

func (c Client) call(ctx context.Context, p watchlist.Partner, method, u string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, p.Country, err)
	}
	req.Header.Set("Authorization", "Bearer "+p.Token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds no secret, but keep messages short
		}
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, p.Country, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, p.Country, err)
	}
	if resp.StatusCode/100 != 2 {
		var prob struct {
			Type   string `json:"type"`
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(b, &prob)
		if prob.Type == ReplayedType {
			return fmt.Errorf("%s: %s: %w", p.Country, prob.Detail, watchlist.ErrReplayed)
		}
		return fmt.Errorf("%w: %s answered %d %s: %s", ErrUnreachable, p.Country, resp.StatusCode, prob.Title, prob.Detail)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, p.Country, err)
	}
	return nil
}
