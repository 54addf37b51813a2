package lienthong.writes_test

import rego.v1

import data.lienthong.authz

registry_hn := {"agency": "ubnd-phuong-hoan-kiem", "kind": "civil_registry", "province": "001", "role": "x"}

registry_hcm := {"agency": "ubnd-phuong-ben-thanh", "kind": "civil_registry", "province": "079", "role": "x"}

court := {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "x"}

prison := {"agency": "ca-ha-noi-thahs", "kind": "criminal_enforcement", "province": "001", "role": "x"}

c10 := {"agency": "c10-bca", "kind": "criminal_enforcement", "province": null, "role": "x"}

military := {"agency": "cthahs-bqp", "kind": "military_enforcement", "province": null, "role": "x"}

foreign := {"agency": "cuc-lanh-su", "kind": "foreign_affairs", "province": null, "role": "x"}

write(key, coordinate, area, declared) := {"key": key, "coordinate": coordinate, "arguments": {},
	"write": {"area": area, "area_declared": declared}}

birth(key, area) := write(key, "Mutation.registerBirth", area, true)

decision_for(subject, purpose, calls) := authz.decide({
	"subject": subject, "purpose": purpose, "legal_basis_present": true, "operation": "mutation",
	"fields": [
		{"coordinate": "Mutation.registerBirth", "category": "BASIC", "kind": "reference"},
		{"coordinate": "Mutation.recordEnforcementEvent", "category": "CRIMINAL", "kind": "reference"},
		{"coordinate": "Mutation.recordLegalEntityEnforcementEvent", "category": "CRIMINAL", "kind": "reference"},
		{"coordinate": "Mutation.dropEverything", "category": "PUBLIC", "kind": "flag"},
	],
	"calls": calls,
})

# 003 Art. 7.2.a: the civil registry registers births in its own province
test_registry_registers_in_its_province if {
	d := decision_for(registry_hn, "civil_status_registration", [birth("b", "001")])
	d.allow
	not d.root_fields.b
}

# 003 Art. 7.2.a, 8.4: ... and not in another one, nor where the area is unknown
test_registry_may_not_register_in_another_province if {
	d := decision_for(registry_hcm, "civil_status_registration", [birth("b", "001"), birth("unknown", null)])
	d.root_fields.b.effect == "withhold"
	contains(d.root_fields.b.reason, "may not write in province 001")
	d.root_fields.unknown.effect == "withhold"
}

test_scoped_agency_and_a_mutation_without_declared_area if {
	d := decision_for(registry_hn, "civil_status_registration", [write("b", "Mutation.registerBirth", null, false)])
	contains(d.root_fields.b.reason, "declares no area")
}

# a province-scoped agency without a province in the catalogue never matches an unknown area
test_scoped_agency_without_province_is_refused if {
	s := object.union(registry_hn, {"province": null})
	d := decision_for(s, "civil_status_registration", [birth("b", null)])
	d.root_fields.b.effect == "withhold"
}

# 003 Art. 7.2: a court is no civil status registration authority
test_court_may_not_register_a_birth if {
	d := decision_for(court, "criminal_proceedings", [birth("b", "001")])
	d.allow
	d.root_fields.b.effect == "withhold"
	contains(d.root_fields.b.reason, "agency kind court may not call Mutation.registerBirth")
}

# national agencies (a consular service registering abroad) are not scoped to a province
test_foreign_affairs_registers_anywhere if {
	d := decision_for(foreign, "civil_status_registration", [birth("b", "079")])
	not d.root_fields.b
}

# 004 Art. 3.3: the write's purpose
test_write_for_another_purpose_is_refused if {
	d := decision_for(registry_hn, "civil_status_extract", [birth("b", "001")])
	contains(d.root_fields.b.reason, "is written for purpose civil_status_registration")
}

# 000 Art. 11.3: the enforcement bodies update enforcement data; a court or a registry does not
test_enforcement_events_by_enforcement_bodies_only if {
	ok := decision_for(prison, "sentence_enforcement", [write("e", "Mutation.recordEnforcementEvent", "001", true)])
	not ok.root_fields.e
	no := decision_for(court, "sentence_enforcement", [write("e", "Mutation.recordEnforcementEvent", "001", true)])
	no.root_fields.e.effect == "withhold"
}

# 000 Art. 8.3.d, 11.3: the course of a legal entity's enforcement is recorded by the enforcement bodies, for
# sentence enforcement; a court or a registry: refused (it had no rule: denied to everyone)
test_legal_entity_enforcement_events_by_enforcement_bodies if {
	event := write("e", "Mutation.recordLegalEntityEnforcementEvent", "001", true)
	every s in [prison, c10, military] {
		d := decision_for(s, "sentence_enforcement", [event])
		d.allow
		not d.root_fields.e
	}
	by_court := decision_for(court, "sentence_enforcement", [event]).root_fields.e.reason
	contains(by_court, "000 Art. 8.3.d")
	contains(by_court, "agency kind court may not call Mutation.recordLegalEntityEnforcementEvent")
	by_registry := decision_for(registry_hn, "civil_status_registration", [event]).root_fields.e.reason
	contains(by_registry, "agency kind civil_registry may not call Mutation.recordLegalEntityEnforcementEvent")
}

# 000 Art. 11.3, 13.1: a provincial enforcement body updates the sentences of its own province only (both
# mutations), an unknown area is refused; the national bodies (no province) update every province's
test_provincial_enforcement_body_writes_in_its_province_only if {
	every coordinate in ["Mutation.recordEnforcementEvent", "Mutation.recordLegalEntityEnforcementEvent"] {
		d := decision_for(prison, "sentence_enforcement", [
			write("mine", coordinate, "001", true), write("theirs", coordinate, "079", true),
			write("unknown", coordinate, null, true), write("undeclared", coordinate, null, false),
		])
		d.allow
		not d.root_fields.mine
		contains(d.root_fields.theirs.reason, "000 Art. 11.3, 13.1: criminal_enforcement of province 001 may not update a sentence of province 079")
		d.root_fields.unknown.effect == "withhold"
		contains(d.root_fields.undeclared.reason, "declares no area")
		every s in [c10, military] {
			not decision_for(s, "sentence_enforcement", [write("theirs", coordinate, "079", true)]).root_fields.theirs
		}
	}
}

# deny by default: a mutation without a rule is refused to everyone
test_mutation_without_rule_is_refused if {
	d := decision_for(foreign, "civil_status_registration", [write("x", "Mutation.dropEverything", null, false)])
	contains(d.root_fields.x.reason, "deny by default")
}

# each write is decided on its own: an allowed and a refused one in one operation
test_writes_decided_call_by_call if {
	d := decision_for(registry_hn, "civil_status_registration", [birth("mine", "001"), birth("theirs", "079")])
	not d.root_fields.mine
	d.root_fields.theirs.effect == "withhold"
}

# queries never carry writes: a read call is not refused by the write policy
test_read_calls_are_not_writes if {
	d := authz.decide({
		"subject": court, "purpose": "criminal_proceedings", "legal_basis_present": true, "operation": "query",
		"fields": [{"coordinate": "Query.person", "category": "IDENTIFIER", "kind": "reference"}],
		"calls": [{"key": "p", "coordinate": "Query.person", "arguments": {}}],
	})
	d.root_fields == {}
}

# 004 Art. 3.4: a data subject (or the data-protection officer) never writes to the national databases
test_data_subject_and_dpo_may_not_write if {
	every role in ["data_subject", "dpo"] {
		not authz.decide({
			"subject": {"agency": null, "kind": null, "province": null, "role": role, "personal_id": "001190000001"},
			"purpose": "civil_status_registration", "legal_basis_present": false, "operation": "mutation",
			"fields": [{"coordinate": "Mutation.registerBirth", "category": "BASIC", "kind": "reference"}],
			"calls": [birth("b", "001")],
		}).allow
	}
}
