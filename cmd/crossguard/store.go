package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/crossguard/crossguard/watchlist"
)

// openEngine opens the watchlist in dataDir/watchlist. The history key,
// which pseudonymises crossing records, is created on first use in
// dataDir/history.key (mode 0600) and never printed.
func openEngine(dataDir string) (*watchlist.Engine, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	key, err := loadOrCreateKey(filepath.Join(dataDir, "history.key"))
	if err != nil {
		return nil, err
	}
	cfg := watchlist.DefaultConfig(filepath.Join(dataDir, "watchlist"))
	cfg.HistoryKey = key
	return watchlist.Open(cfg)
}

func loadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) < 32 {
			return nil, fmt.Errorf("%s holds %d bytes, want 32", path, len(key))
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, key, 0o600); err != nil {
		return nil, err
	}
	return key, os.Rename(tmp, path)
}
