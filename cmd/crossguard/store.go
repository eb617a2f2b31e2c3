package main

import (
	"os"
	"path/filepath"

	"github.com/crossguard/crossguard/node"
	"github.com/crossguard/crossguard/watchlist"
)

// openEngine opens the watchlist in dataDir/watchlist. The history key,
// which pseudonymises crossing records, is created on first use in
// dataDir/history.key (mode 0600) and never printed.
func openEngine(dataDir string) (*watchlist.Engine, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	key, err := node.LoadOrCreateKey(filepath.Join(dataDir, "history.key"))
	if err != nil {
		return nil, err
	}
	cfg := watchlist.DefaultConfig(filepath.Join(dataDir, "watchlist"))
	cfg.HistoryKey = key
	return watchlist.Open(cfg)
}
