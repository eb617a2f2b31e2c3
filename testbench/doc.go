// Package testbench generates realistic, reproducible border data (alerts,
// travellers, parties) and drives load and fault runs against Crossguard.
package testbench
