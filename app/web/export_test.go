package web

// Unexported pieces of the live stream, for the tests in web_test.
var (
	WriteEvent = writeEvent
	Coalesce   = coalesce
)

// SharedItems is the shared rendering of live messages.
type SharedItems = sharedItems[string]

// Get is sharedItems.get.
var Get = (*sharedItems[string]).get
