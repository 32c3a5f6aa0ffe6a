package bot

import "time"

// stampArrival dates the acts among evs that carry no time of their own
// with their delivery's arrival (received): a reaction, a button press, a
// command. A member's act is dated so that one still pending in the inbox
// when they asked to be forgotten is not recorded after the forget (the
// store compares the two); an act dated zero counts as done now.
func stampArrival(evs []Event, received time.Time) {
	if received.IsZero() {
		return
	}
	for i, ev := range evs {
		switch e := ev.(type) {
		case ReactionAdded:
			if e.At.IsZero() {
				e.At = received
				evs[i] = e
			}
		case ActionPressed:
			if e.At.IsZero() {
				e.At = received
				evs[i] = e
			}
		case Mentioned:
			if e.Message.Time.IsZero() {
				e.Message.Time = received
				evs[i] = e
			}
		}
	}
}
