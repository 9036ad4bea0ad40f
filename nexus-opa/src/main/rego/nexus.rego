# The Nexus built-in rules in Rego, for applications that prefer to govern with OPA.
# Same input document as every Nexus policy (docs/governance.md), same rule names and reasons as
# io.nexus.core.policy.Policies. Configuration comes from the data document under data.nexus:
#
#   {"nexus": {
#      "registeredEventTypes": {"OrderPlaced": [1, 2]},          # schema-required
#      "eventOwners": {"OrderPlaced": "Order"},                 # event-ownership
#      "payloadLimits": {"default": 65536, "byType": {"Big": 1048576}},   # payload-limit
#      "personalData": {"fields": ["email"], "allowedIn": ["CustomerRegistered"]}}}   # personal-data
#
# Compile (needs the opa CLI, which the Nexus build machines cannot install, so this file is not compiled
# by the build):  opa build -t wasm -e nexus/decision -o bundle.tar.gz nexus.rego data.json
package nexus

import rego.v1

default decision := {"allow": true, "reasons": [], "rule": "policies"}

# The first rule (in this order) with reasons decides, like Policies.evaluate.
decision := {"allow": false, "reasons": reasons, "rule": rule} if {
	some rule in ["append-only", "schema-required", "event-ownership", "payload-limit", "personal-data"]
	reasons := [r | some r in denials[rule]]
	count(reasons) > 0
	not earlier_denial(rule)
}

order := {"append-only": 0, "schema-required": 1, "event-ownership": 2, "payload-limit": 3, "personal-data": 4}

earlier_denial(rule) if {
	some other, _ in denials
	order[other] < order[rule]
}

denials[rule] contains reason if {
	rule := "append-only"
	input.action in {"history-update", "history-delete"}
	reason := sprintf("History is append-only: '%s' would change stored events; append a compensating event instead", [input.action])
}

denials[rule] contains reason if {
	rule := "schema-required"
	input.action == "append"
	data.nexus.registeredEventTypes
	some event in input.events
	not event.schemaVersion in object.get(data.nexus.registeredEventTypes, event.type, [])
	reason := sprintf("Event type '%s' v%d is not registered in the schema registry; register its schema first", [event.type, event.schemaVersion])
}

denials[rule] contains reason if {
	rule := "event-ownership"
	input.action == "append"
	some event in input.events
	owner := data.nexus.eventOwners[event.type]
	owner != input.aggregate.type
	reason := sprintf("Event type '%s' belongs to aggregate type '%s', but '%s' appends it; let a %s decide it", [event.type, owner, input.aggregate.type, owner])
}

denials[rule] contains reason if {
	rule := "payload-limit"
	input.action == "append"
	some event in input.events
	limit := object.get(object.get(data.nexus.payloadLimits, "byType", {}), event.type, data.nexus.payloadLimits["default"])
	event.payloadSize > limit
	reason := sprintf("Event type '%s' payload is %d bytes, over its limit of %d bytes", [event.type, event.payloadSize, limit])
}

denials[rule] contains reason if {
	rule := "personal-data"
	input.action == "append"
	some event in input.events
	not event.type in data.nexus.personalData.allowedIn
	some path in event.fields
	some marked in data.nexus.personalData.fields
	personal(path, marked)
	reason := sprintf("Event type '%s' carries personal data '%s' but is not allowed to; refer to the person by id instead", [event.type, path])
}

personal(path, marked) if path == marked

personal(path, marked) if endswith(path, concat("", [".", marked]))
