//go:build !crossguard_lossy

package node

import "github.com/crossguard/crossguard/watchlist"

// The real build loses nothing; lossy.go is the deliberately broken one.

func lostCrossings(cs []watchlist.Crossing) []watchlist.Crossing { return cs }

func lostAlertChange([]watchlist.Alert) bool { return false }
