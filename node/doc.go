// Package node assembles a running Crossguard node: the watchlist engine,
// its raft replication and its HTTP API. It is built by the replication
// issue; until then the engine runs embedded in the crossguard command.
package node
