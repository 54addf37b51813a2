# Write policy: which agency kind may call which mutation, for which purpose, and where. Deny by default.
#
# The gateway sends every root field of a mutation among `calls`, with a `write` object: the area of the write
# (the 3-digit province code at the argument the schema declares with @writeArea, null when unknown) and
# whether an area is declared at all. A refused write is withheld as a root field (null + FORBIDDEN_FIELD):
# the gateway never calls its subgraph, and audits it. The catalogue: data/writes.json.
package lienthong.authz

import rego.v1

# METADATA
# title: "Operations decided by this write policy (not refused wholesale by purposes.rego)"
# description: >-
#   Operations decided by this write policy (not refused wholesale by purposes.rego)
# custom:
#   article: "003 Art. 7.2; 000 Art. 11.3"
write_operation(inp) if inp.operation in data.writes.operations

# METADATA
# title: "Write rules by mutation"
# description: >-
#   data/writes.json mutations: the agency kinds, purposes and legal basis of each write.
# custom:
#   article: "003 Art. 7.2; 000 Art. 11.3"
write_rules := data.writes.mutations

# METADATA
# title: "A call that is a write"
# description: >-
#   The grants registry's mutations are decided by grants.rego (role grant_registrar), not by the write rules.
# custom:
#   article: "003 Art. 7.2; 000 Art. 11.3"
is_write(call) if {
	is_object(call.write)
	not registry_coordinate(call.coordinate)
}

# METADATA
# title: Write refusals, first that applies (undefined when the write is allowed)
# description: >-
#   Deny by default (no rule, no write); only the agency kinds the rule names (civil status registration
#   authorities, 003 Art. 7.2; bodies granted update rights, 000 Art. 11.3); only for the rule's purposes
#   (004 Art. 3.3); province-scoped agencies only in their own province, read from the declared area
#   (003 Art. 7.2.a, 8.4); a provincial enforcement body (a management-scoped kind with a province) only the
#   sentences of its province (000 Art. 11.3, 13.1: update rights are granted within its management scope).
# custom:
#   article: "003 Art. 7.1, 7.2, 8.4; 000 Art. 11.3, 13.1, 6.2; 004 Art. 3.3, 3.4"
#   branches: ["004 Art. 3.4 (deny by default)", "003 Art. 7.2; 000 Art. 11.3, 6.2", "004 Art. 3.3", "003 Art. 7.2.a, 8.4", "003 Art. 7.2.a, 8.4", "000 Art. 11.3, 13.1", "000 Art. 11.3, 13.1"]
write_refusal(inp, call) := concat("", ["deny by default: no write rule for ", call.coordinate, " (policies/data/writes.json)"]) if {
	is_write(call)
	not write_rules[call.coordinate]
}

# 003 Art. 7.2, 000 Art. 11.3: only the civil status registration authorities update the civil status
# database, only the bodies granted update rights the criminal enforcement one. A court is no civil status
# authority: a divorce it decides is recorded by the civil registry (003 Art. 7.1).
else := concat("", [rule.legal_basis, ": agency kind ", inp.subject.kind, " may not call ", call.coordinate]) if {
	is_write(call)
	rule := write_rules[call.coordinate]
	not inp.subject.kind in rule.agency_kinds
}

# 004 Art. 3.3: a write is made for the purpose its rule names.
else := concat("", [rule.legal_basis, ": ", call.coordinate, " is written for purpose ", concat(" or ", rule.purposes), ", not ", shown(inp.purpose)]) if {
	is_write(call)
	rule := write_rules[call.coordinate]
	not inp.purpose in rule.purposes
}

# 003 Art. 7.2.a, 8.4: a commune civil registry or a provincial justice department registers in its area, the
# value of the argument the mutation declares with @writeArea; no declared area, or no province code, is unknown.
else := concat("", ["003 Art. 7.2.a, 8.4: ", inp.subject.kind, " writes in its own province only, and ", call.coordinate, " declares no area"]) if {
	is_write(call)
	inp.subject.kind in data.rules.province_scoped_kinds
	not call.write.area_declared
} else := concat("", ["003 Art. 7.2.a, 8.4: ", inp.subject.kind, " of province ", shown(inp.subject.province), " may not write in province ", shown(call.write.area), " (", call.coordinate, ")"]) if {
	is_write(call)
	inp.subject.kind in data.rules.province_scoped_kinds
	not own_area(inp, call)
}

# 000 Art. 11.3, 13.1: a provincial criminal enforcement body updates the sentences enforced in its province (the
# sentence's provinceCode, which the subgraph checks against the sentence); a national one (no province in
# data/agencies.json: C10, the Ministry of Defence's department) writes everywhere.
else := concat("", ["000 Art. 11.3, 13.1: ", inp.subject.kind, " of province ", inp.subject.province, " updates the sentences of its province only, and ", call.coordinate, " declares no area"]) if {
	is_write(call)
	provincial_enforcement(inp)
	not call.write.area_declared
} else := concat("", ["000 Art. 11.3, 13.1: ", inp.subject.kind, " of province ", inp.subject.province, " may not update a sentence of province ", shown(call.write.area), " (", call.coordinate, ")"]) if {
	is_write(call)
	provincial_enforcement(inp)
	not own_area(inp, call)
}

# METADATA
# title: "The caller is a provincial enforcement body"
# description: >-
#   An agency of a management-scoped kind (data/rules.json management_scoped_kinds) with a province in
#   data/agencies.json: its write scope is its province, as its read scope is (rows.rego management_rules).
# custom:
#   article: "000 Art. 11.3, 13.1"
provincial_enforcement(inp) if {
	inp.subject.kind in data.rules.management_scoped_kinds
	is_string(inp.subject.province)
}

# METADATA
# title: "The write's declared area is the caller's province"
# description: >-
#   The write's declared area is the caller's province
# custom:
#   article: "003 Art. 7.2.a, 8.4"
own_area(inp, call) if {
	is_string(call.write.area)
	call.write.area == inp.subject.province
}

# METADATA
# title: "A value shown in a reason"
# description: >-
#   Strings as they are, anything else (null: not declared, not known) as unknown (reasons are built with
#   concat: rego-cpp's sprintf quotes a string passed through a function argument).
# custom:
#   article: "003 Art. 7.2; 000 Art. 11.3"
shown(x) := x if is_string(x)

else := "unknown"

