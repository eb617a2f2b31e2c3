// Package node assembles a running Crossguard node: the watchlist engine,
// its raft replication (package cluster), the outbox of crossing records
// and its shipper, and the HTTP server of package api. Inspections are
// answered from the local store; changes go through raft. See
// cluster/DESIGN.md.
package node
