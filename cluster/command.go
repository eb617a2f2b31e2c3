package cluster

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/crossguard/crossguard/watchlist"
)

// CommandType says what a replicated command does. Type 0 is never
// written: an entry of type 0 is a corrupt entry.
type CommandType uint8

// Command types. New types are added at the end; a number is never
// reused.
const (
	CommandUnknown         CommandType = 0
	CommandUpsertAlerts    CommandType = 1
	CommandCloseAlert      CommandType = 2
	CommandRecordCrossings CommandType = 3
	CommandAckHit          CommandType = 4
	CommandPutToken        CommandType = 5
	CommandRevokeToken     CommandType = 6
	CommandAppendAudit     CommandType = 7
	CommandPurgeAudit      CommandType = 8
	CommandSetIdentity     CommandType = 9
	CommandPutPartner      CommandType = 10
	CommandRemovePartner   CommandType = 11
	CommandImportShared    CommandType = 12
	CommandMarkDelivered   CommandType = 13
	CommandReceiveMessage  CommandType = 14
	CommandFlagAlert       CommandType = 15
	CommandAcceptQuery     CommandType = 16
	CommandRecordAnswer    CommandType = 17
	CommandRequestDetails  CommandType = 18
	CommandDecideDetails   CommandType = 19
)

func (t CommandType) String() string {
	switch t {
	case CommandUpsertAlerts:
		return "upsert_alerts"
	case CommandCloseAlert:
		return "close_alert"
	case CommandRecordCrossings:
		return "record_crossings"
	case CommandAckHit:
		return "ack_hit"
	case CommandPutToken:
		return "put_token"
	case CommandRevokeToken:
		return "revoke_token"
	case CommandAppendAudit:
		return "append_audit"
	case CommandPurgeAudit:
		return "purge_audit"
	case CommandSetIdentity:
		return "set_identity"
	case CommandPutPartner:
		return "put_partner"
	case CommandRemovePartner:
		return "remove_partner"
	case CommandImportShared:
		return "import_shared"
	case CommandMarkDelivered:
		return "mark_delivered"
	case CommandReceiveMessage:
		return "receive_message"
	case CommandFlagAlert:
		return "flag_alert"
	case CommandAcceptQuery:
		return "accept_query"
	case CommandRecordAnswer:
		return "record_answer"
	case CommandRequestDetails:
		return "request_details"
	case CommandDecideDetails:
		return "decide_details"
	}
	return fmt.Sprintf("unknown(%d)", uint8(t))
}

// commandVersion is the version of the bodies this build writes. Apply
// reads every version up to it.
const commandVersion = 1

// A command in the log is a three-byte header, type, version and flags
// (none defined yet; bit 0 is kept for compression), followed by the
// JSON body of its type.
const headerLen = 3

// Command is a replicated change, ready for the log: IDs and times are
// stamped before it is encoded, so that applying it is deterministic.
type Command struct {
	Type CommandType
	Body any
}

// UpsertAlerts stores stamped alerts (watchlist.StampAlert).
type UpsertAlerts struct {
	Alerts []watchlist.Alert `json:"alerts"`
}

// CloseAlert closes an alert at a stamped time.
type CloseAlert struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// RecordCrossings stores a batch of crossing records from a post's
// outbox; recording is idempotent by crossing ID.
type RecordCrossings struct {
	Crossings []watchlist.Crossing `json:"crossings"`
}

// AckHit records who handled a hit and the outcome.
type AckHit struct {
	HitID string                    `json:"hit_id"`
	Ack   watchlist.Acknowledgement `json:"ack"`
}

// PutToken stores a new API token (its hash: the secret never enters the
// log).
type PutToken struct {
	Token watchlist.Token `json:"token"`
}

// RevokeToken revokes a token at a stamped time.
type RevokeToken struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// AppendAudit chains a batch of audit entries from a node's outbox
// (idempotent by entry ID).
type AppendAudit struct {
	Entries []watchlist.AuditEntry `json:"entries"`
}

// PurgeAudit removes the audit entries up to Through, whose retention
// ended (the leader finds them; every node removes the same).
type PurgeAudit struct {
	Through uint64 `json:"through"`
}

// SetIdentity stores the cluster's federation identity (its country and
// signing key).
type SetIdentity struct {
	Identity watchlist.Identity `json:"identity"`
}

// PutPartner registers a partner country or replaces its record.
type PutPartner struct {
	Partner watchlist.Partner `json:"partner"`
}

// RemovePartner forgets a partner (its alerts are closed here).
type RemovePartner struct {
	Country string    `json:"country"`
	At      time.Time `json:"at"`
}

// ImportShared applies a verified page of a partner's feed.
type ImportShared struct {
	From    string                   `json:"from"`
	Prev    uint64                   `json:"prev"`
	Next    uint64                   `json:"next"`
	Head    uint64                   `json:"head"`
	Changes []watchlist.SharedChange `json:"changes"`
	At      time.Time                `json:"at"`
}

// MarkDelivered records that a partner acknowledged queued messages.
type MarkDelivered struct {
	To      string `json:"to"`
	Through uint64 `json:"through"`
}

// ReceiveMessage applies a verified message from a partner.
type ReceiveMessage struct {
	From    string            `json:"from"`
	Message watchlist.Message `json:"message"`
	At      time.Time         `json:"at"`
}

// FlagAlert flags a foreign alert as not actionable here.
type FlagAlert struct {
	ID   string         `json:"id"`
	Flag watchlist.Flag `json:"flag"`
}

// AcceptQuery records a partner's hit/no-hit query and its answer.
type AcceptQuery struct {
	Query watchlist.QueryRecord `json:"query"`
}

// RecordAnswer records a partner's answer to a query this cluster sent.
type RecordAnswer struct {
	To        string `json:"to"`
	Seq       uint64 `json:"seq"`
	Result    string `json:"result"`
	Reference string `json:"reference,omitempty"`
}

// RequestDetails asks a partner for the details behind a hit answer.
type RequestDetails struct {
	To      string                  `json:"to"`
	Request watchlist.DetailRequest `json:"request"`
}

// DecideDetails approves or refuses a partner's detail request.
type DecideDetails struct {
	From      string    `json:"from"`
	Reference string    `json:"reference"`
	Approve   bool      `json:"approve"`
	By        string    `json:"by"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// Encode writes the command as a log entry.
func (c Command) Encode() ([]byte, error) {
	if c.Type == CommandUnknown {
		return nil, fmt.Errorf("encode command: %w", ErrUnknownCommand)
	}
	body, err := json.Marshal(c.Body)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", c.Type, err)
	}
	return append([]byte{byte(c.Type), commandVersion, 0}, body...), nil
}

// decodeCommand reads a log entry into its typed body.
func decodeCommand(b []byte) (Command, error) {
	if len(b) < headerLen {
		return Command{}, fmt.Errorf("%w: entry of %d bytes", ErrCorruptEntry, len(b))
	}
	t, version, flags := CommandType(b[0]), b[1], b[2]
	if version == 0 || version > commandVersion {
		return Command{}, fmt.Errorf("%w: %s version %d (this build reads up to %d)", ErrUnknownCommand, t, version, commandVersion)
	}
	if flags != 0 {
		return Command{}, fmt.Errorf("%w: %s flags %#x", ErrUnknownCommand, t, flags)
	}
	var body any
	switch t {
	case CommandUpsertAlerts:
		body = &UpsertAlerts{}
	case CommandCloseAlert:
		body = &CloseAlert{}
	case CommandRecordCrossings:
		body = &RecordCrossings{}
	case CommandAckHit:
		body = &AckHit{}
	case CommandPutToken:
		body = &PutToken{}
	case CommandRevokeToken:
		body = &RevokeToken{}
	case CommandAppendAudit:
		body = &AppendAudit{}
	case CommandPurgeAudit:
		body = &PurgeAudit{}
	case CommandSetIdentity:
		body = &SetIdentity{}
	case CommandPutPartner:
		body = &PutPartner{}
	case CommandRemovePartner:
		body = &RemovePartner{}
	case CommandImportShared:
		body = &ImportShared{}
	case CommandMarkDelivered:
		body = &MarkDelivered{}
	case CommandReceiveMessage:
		body = &ReceiveMessage{}
	case CommandFlagAlert:
		body = &FlagAlert{}
	case CommandAcceptQuery:
		body = &AcceptQuery{}
	case CommandRecordAnswer:
		body = &RecordAnswer{}
	case CommandRequestDetails:
		body = &RequestDetails{}
	case CommandDecideDetails:
		body = &DecideDetails{}
	default:
		return Command{}, fmt.Errorf("%w: %s", ErrUnknownCommand, t)
	}
	if err := json.Unmarshal(b[headerLen:], body); err != nil {
		return Command{}, fmt.Errorf("%w: %s: %v", ErrCorruptEntry, t, err)
	}
	return Command{Type: t, Body: body}, nil
}
