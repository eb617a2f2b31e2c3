package watchlist

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Config holds the engine's settings. DefaultConfig gives the defaults;
// Validate checks a filled-in one.
type Config struct {
	// Dir is the badger directory. Required.
	Dir string
	// EncryptionKey turns on badger's at-rest encryption (AES, 16, 24 or
	// 32 bytes). Empty: no encryption.
	EncryptionKey []byte
	// SyncWrites makes every write durable before it returns.
	SyncWrites bool

	// FalsePositiveRate is the bloom filters' target rate (default 0.1%).
	FalsePositiveRate float64
	// RebuildStaleFraction triggers a rebuild of the bloom filters when the
	// keys of closed or changed alerts exceed this fraction of all keys.
	RebuildStaleFraction float64

	// NameThreshold is the least name similarity for a name-based hit.
	NameThreshold float64
	// NameThresholdTransliterated replaces NameThreshold when the alert's
	// name is written in another script than Latin: transliterations of
	// one name differ more (the rest of the score, birth date, sex and
	// nationality, must still carry the hit).
	NameThresholdTransliterated float64
	// NamePartThreshold is the least similarity each part of a name
	// (surname, given names) must reach, unless within one edit of the
	// alert's, for a similarity of the whole name that is not exact to
	// count: on the joined name a long part that agrees carries one that
	// does not. 0 turns the check off.
	NamePartThreshold float64
	// HitThreshold is the least score for a hit.
	HitThreshold float64
	// YearTolerance widens the name keys of alerts with a full birth date
	// (or year and month) by this many birth years on each side (a
	// mistyped year still finds the alert). An alert that knows the year
	// only is found a year either side of it whatever this says: its
	// index entries carry those years (keys.go), and scoring accepts one.
	YearTolerance int

	// HistoryKey is the secret that pseudonymises crossing history (keyed
	// hashes of documents). Required, at least 16 bytes.
	HistoryKey []byte
	// HistoryRetention is how long crossing history is kept (default 30 days).
	HistoryRetention time.Duration
	// EscortWindow and EscortMinors set the repeated-escort rule: an adult
	// who crossed with EscortMinors or more different minors within
	// EscortWindow is referred (defaults 30 days, 3).
	EscortWindow time.Duration
	EscortMinors int

	// Logger receives the engine's and badger's messages.
	Logger *slog.Logger
}

// DefaultConfig returns the defaults for an engine stored in dir.
func DefaultConfig(dir string) Config {
	return Config{
		Dir:                         dir,
		FalsePositiveRate:           0.001,
		RebuildStaleFraction:        0.10,
		NameThreshold:               0.88,
		NameThresholdTransliterated: 0.80,
		NamePartThreshold:           0.75,
		HitThreshold:                0.80,
		YearTolerance:               1,
		HistoryRetention:            30 * 24 * time.Hour,
		EscortWindow:                30 * 24 * time.Hour,
		EscortMinors:                3,
	}
}

// Validate reports every invalid setting.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("the store directory (Dir) is required"))
	}
	switch len(c.EncryptionKey) {
	case 0, 16, 24, 32:
	default:
		errs = append(errs, fmt.Errorf("EncryptionKey is %d bytes; it must be 16, 24 or 32", len(c.EncryptionKey)))
	}
	if c.FalsePositiveRate <= 0 || c.FalsePositiveRate >= 0.5 {
		errs = append(errs, fmt.Errorf("FalsePositiveRate %v must lie in (0, 0.5)", c.FalsePositiveRate))
	}
	if c.RebuildStaleFraction <= 0 || c.RebuildStaleFraction > 1 {
		errs = append(errs, fmt.Errorf("RebuildStaleFraction %v must lie in (0, 1]", c.RebuildStaleFraction))
	}
	if c.NameThreshold <= 0 || c.NameThreshold > 1 {
		errs = append(errs, fmt.Errorf("NameThreshold %v must lie in (0, 1]", c.NameThreshold))
	}
	if c.NameThresholdTransliterated <= 0 || c.NameThresholdTransliterated > 1 {
		errs = append(errs, fmt.Errorf("NameThresholdTransliterated %v must lie in (0, 1]", c.NameThresholdTransliterated))
	}
	if c.NamePartThreshold < 0 || c.NamePartThreshold > 1 {
		errs = append(errs, fmt.Errorf("NamePartThreshold %v must lie in [0, 1]", c.NamePartThreshold))
	}
	if c.HitThreshold <= 0 || c.HitThreshold > 1 {
		errs = append(errs, fmt.Errorf("HitThreshold %v must lie in (0, 1]", c.HitThreshold))
	}
	if c.YearTolerance < 0 || c.YearTolerance > 5 {
		errs = append(errs, fmt.Errorf("YearTolerance %d must lie in [0, 5]", c.YearTolerance))
	}
	if len(c.HistoryKey) < 16 {
		errs = append(errs, errors.New("the history key (HistoryKey) must be at least 16 bytes"))
	}
	if c.HistoryRetention < time.Hour {
		errs = append(errs, errors.New("the history retention (HistoryRetention) must be at least an hour"))
	}
	if c.EscortWindow <= 0 || c.EscortWindow > c.HistoryRetention {
		errs = append(errs, errors.New("the escort window (EscortWindow) must be positive and no longer than the history retention"))
	}
	if c.EscortMinors < 2 {
		errs = append(errs, errors.New("the escort rule's number of minors (EscortMinors) must be at least 2"))
	}
	return errors.Join(errs...)
}
