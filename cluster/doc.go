// Package cluster holds the raft machinery that replicates the watchlist
// between the operations-centre voters and the border-post replicas.
package cluster
