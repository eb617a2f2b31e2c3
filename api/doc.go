// Package api is the HTTP API of a Crossguard node (fiber v2). It declares
// the narrow interfaces it needs of a node (an inspector, alert changes,
// records, membership) and maps every error to an HTTP status and an
// RFC 9457 problem document in one place (errorHandler).
package api
