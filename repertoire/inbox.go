package repertoire

import (
	"time"
)

// InboxItem is one platform delivery as the inbox keeps it: the adapter's
// own payload, typed by Kind, with what the inbox needs to order and dedupe it.
type InboxItem struct {
	Seq      int64 // arrival order, set by CommitInbox
	Platform string
	Kind     string
	Delivery string // the platform's delivery ID; a second item with the same one is a duplicate
	Channel  string // events with the same key are applied in Seq order
	Payload  []byte
	Received time.Time
}
