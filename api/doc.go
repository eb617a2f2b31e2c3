// Package api is the HTTP API and web console of a Crossguard node.
package api
