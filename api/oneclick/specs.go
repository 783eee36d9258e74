package oneclick

// The verticals' specs (fields, rules, flags) come with the provider: they
// live in api/spec/oneclick, which imports only the domain so that the UI
// may read them without this client.
import _ "github.com/orderwatch/orderwatch/api/spec/oneclick"
