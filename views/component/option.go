package component

// Option is one choice of a select, a checkbox list or a radio group.
type Option struct {
	Value, Label string
	Selected     bool
}
