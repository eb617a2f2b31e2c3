package cluster

import "errors"

// ErrNoLeader means no leader could be reached before the deadline: an
// election is running or this node is cut off. Inspections never return
// it; changes do, and may be retried.
var ErrNoLeader = errors.New("no leader reachable")

// ErrUnknownCommand means a log entry has a type or version this build
// does not know (a newer node wrote it).
var ErrUnknownCommand = errors.New("unknown command")

// ErrCorruptEntry means a log entry cannot be decoded.
var ErrCorruptEntry = errors.New("corrupt log entry")

// ErrClosed means the cluster node was shut down.
var ErrClosed = errors.New("cluster node closed")

// ErrRefused means a peer refused a request: a membership change that
// would break the cluster, or a request the peer does not serve.
var ErrRefused = errors.New("refused by the cluster")
