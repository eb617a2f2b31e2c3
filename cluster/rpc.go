package cluster

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// The cluster's own requests travel on the raft port (protocol byte 'C'):
// one request and one response per connection, each a 4-byte big-endian
// length and a JSON document. A non-leader forwards changes and
// membership requests to the leader this way; any node answers status
// and read-index requests.

// maxFrame bounds a request or response; a batch of alerts is well under.
const maxFrame = 256 << 20

type rpcOp string

const (
	opApply     rpcOp = "apply"      // apply a command (leader only)
	opJoin      rpcOp = "join"       // add a voter or non-voter (a follower forwards it)
	opRemove    rpcOp = "remove"     // remove a server (leader only)
	opStatus    rpcOp = "status"     // this node's status
	opReadIndex rpcOp = "read_index" // the leader's commit index, leadership verified or not
)

type rpcRequest struct {
	Op      rpcOp  `json:"op"`
	Command []byte `json:"command,omitempty"`
	ID      string `json:"id,omitempty"`
	Address string `json:"address,omitempty"`
	Voter   bool   `json:"voter,omitempty"`
	Verify  bool   `json:"verify,omitempty"`
}

// Error kinds carried back to the node that asked, so that it returns the
// same sentinel the leader did.
const (
	kindInvalid  = "invalid"
	kindNotFound = "not_found"
	kindNoLeader = "no_leader"
	kindRefused  = "refused"
	kindOther    = "error"
)

// sentinels are the state machine's other errors a forwarded command may
// return, by the kind that carries each.
var sentinels = []struct {
	kind string
	err  error
}{
	{"replayed", watchlist.ErrReplayed},
	{"out_of_order", watchlist.ErrOutOfOrder},
	{"not_owner", watchlist.ErrNotOwner},
	{"not_shared", watchlist.ErrNotShared},
	{"decided", watchlist.ErrDecided},
}

type rpcResponse struct {
	Index  uint64                 `json:"index,omitempty"`
	Status *Status                `json:"status,omitempty"`
	Kind   string                 `json:"kind,omitempty"`
	Error  string                 `json:"error,omitempty"`
	Fields []watchlist.FieldError `json:"fields,omitempty"`
}

func errorResponse(err error) rpcResponse {
	r := rpcResponse{Error: err.Error(), Kind: kindOther}
	var ve *watchlist.ValidationError
	switch {
	case errors.As(err, &ve):
		r.Kind, r.Fields = kindInvalid, ve.Fields
	case errors.Is(err, watchlist.ErrInvalid):
		r.Kind = kindInvalid
	case errors.Is(err, watchlist.ErrNotFound):
		r.Kind = kindNotFound
	case errors.Is(err, ErrNoLeader):
		r.Kind = kindNoLeader
	case errors.Is(err, ErrRefused):
		r.Kind = kindRefused
	default:
		for _, s := range sentinels {
			if errors.Is(err, s.err) {
				r.Kind = s.kind
				break
			}
		}
	}
	return r
}

// err turns a response back into the error the leader returned.
func (r *rpcResponse) err() error {
	switch r.Kind {
	case "":
		return nil
	case kindInvalid:
		if len(r.Fields) > 0 {
			return &watchlist.ValidationError{Fields: r.Fields}
		}
		return fmt.Errorf("%w: %s", watchlist.ErrInvalid, r.Error)
	case kindNotFound:
		return fmt.Errorf("%w: %s", watchlist.ErrNotFound, r.Error)
	case kindNoLeader:
		return fmt.Errorf("%w: %s", ErrNoLeader, r.Error)
	case kindRefused:
		return fmt.Errorf("%w: %s", ErrRefused, r.Error)
	}
	for _, s := range sentinels {
		if r.Kind == s.kind {
			return fmt.Errorf("%w: %s", s.err, r.Error)
		}
	}
	return errors.New(r.Error)
}

func writeFrame(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(b) > maxFrame {
		return fmt.Errorf("message of %d bytes is over the %d-byte limit", len(b), maxFrame)
	}
	buf := make([]byte, 4, 4+len(b))
	binary.BigEndian.PutUint32(buf, uint32(len(b)))
	_, err = w.Write(append(buf, b...))
	return err
}

func readFrame(r io.Reader, v any) error {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxFrame {
		return fmt.Errorf("message of %d bytes is over the %d-byte limit", size, maxFrame)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// call sends one request to a peer's raft port and reads the response.
func (c *Cluster) call(ctx context.Context, addr string, req rpcRequest) (rpcResponse, error) {
	conn, err := c.mux.dial(ctx, addr, protoRPC)
	if err != nil {
		return rpcResponse{}, fmt.Errorf("%w: dial %s: %v", ErrNoLeader, addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if err := writeFrame(conn, req); err != nil {
		return rpcResponse{}, fmt.Errorf("send to %s: %w", addr, err)
	}
	var resp rpcResponse
	if err := readFrame(conn, &resp); err != nil {
		return rpcResponse{}, fmt.Errorf("%w: no answer from %s: %v", ErrNoLeader, addr, err)
	}
	return resp, nil
}

// serveRPC answers one request on a connection from a peer.
func (c *Cluster) serveRPC(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(c.cfg.ApplyTimeout + 10*time.Second))
	var req rpcRequest
	if err := readFrame(conn, &req); err != nil {
		c.log.Warn("cluster request unreadable", "remote", conn.RemoteAddr(), "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.ApplyTimeout)
	defer cancel()
	var resp rpcResponse
	switch req.Op {
	case opApply:
		idx, err := c.applyLocal(ctx, req.Command)
		if err != nil {
			resp = errorResponse(err)
		}
		resp.Index = idx
	case opJoin:
		// A joining node asks the members it was given, which need not
		// lead (leadership may have moved since it was configured): a
		// follower forwards to its leader, as Join does for any caller.
		if err := c.Join(ctx, req.ID, req.Address, req.Voter); err != nil {
			resp = errorResponse(err)
		}
	case opRemove:
		if err := c.removeLocal(req.ID); err != nil {
			resp = errorResponse(err)
		}
	case opStatus:
		s := c.Status()
		resp.Status = &s
	case opReadIndex:
		idx, err := c.readIndexLocal(ctx, req.Verify)
		if err != nil {
			resp = errorResponse(err)
		}
		resp.Index = idx
	default:
		resp = errorResponse(fmt.Errorf("%w: unknown request %q", ErrRefused, req.Op))
	}
	if err := writeFrame(conn, resp); err != nil {
		c.log.Warn("cluster response not sent", "remote", conn.RemoteAddr(), "err", err)
	}
}
