package lienthong.subjects_test

import rego.v1

import data.lienthong.authz

me := "001085012345"

me_subject := {"agency": null, "kind": null, "province": null, "role": "data_subject", "personal_id": me}

person_fields := [
	{"coordinate": "Query.person", "category": "BASIC", "kind": "reference"},
	{"coordinate": "Person.personalId", "category": "IDENTIFIER", "kind": "identifier"},
	{"coordinate": "Person.fullName", "category": "BASIC", "kind": "name"},
	{"coordinate": "Person.spouse", "category": "FAMILY", "kind": "reference"},
	{"coordinate": "Person.ethnicity", "category": "ETHNIC_ORIGIN", "kind": "text"},
	{"coordinate": "Person.religion", "category": "RELIGION", "kind": "text"},
	{"coordinate": "Person.sentences", "category": "CRIMINAL", "kind": "reference"},
]

sreq(subject, purpose, operation, fields) := {
	"subject": subject, "purpose": purpose, "legal_basis_present": false,
	"operation": operation, "fields": fields,
}

test_data_subject_reads_what_an_extract_releases if {
	d := authz.decide(sreq(me_subject, null, "query", person_fields))
	d.allow
	extract := authz.decide(sreq(
		{"agency": "bo-tu-phap", "kind": "justice_ministry", "province": null, "role": "agency"},
		"civil_status_extract", "query", person_fields,
	))
	every f in person_fields {
		d.fields[f.coordinate].effect == extract.fields[f.coordinate].effect
	}
	d.fields["Person.fullName"].effect == "allow"
	d.fields["Person.religion"].effect == "withhold"
	d.fields["Person.sentences"].effect == "withhold"
	contains(d.fields["Person.fullName"].reason, "004 Art. 9.3")
}

test_data_subject_rows_about_others_are_filtered if {
	d := authz.decide(sreq(me_subject, null, "query", person_fields))
	got := {r.id: r | some r in d.row_rules}
	r := got.data_subject_self
	r.effect == "filter"
	r.subjects == "all"
	r.when == {"attr": "subject", "op": "ne", "value": me, "if_unknown": true}
}

# 004 Art. 10.2: the filter leaves no trace, so another person's key answers as a key that matches nothing
test_data_subject_rows_about_others_are_filtered_silently if {
	d := authz.decide(sreq(me_subject, null, "query", person_fields))
	got := {r.id: r | some r in d.row_rules}
	got.data_subject_self.report == "silent"
	got.cell_suppression.report == "summary"
}

test_no_restriction_or_deceased_rule_on_the_subject_themself if {
	d := authz.decide(sreq(me_subject, null, "query", person_fields))
	ids := {r.id | some r in d.row_rules}
	ids == {"data_subject_self", "cell_suppression"}
}

test_data_subject_declares_no_purpose if {
	d := authz.decide(sreq(me_subject, "civil_status_extract", "query", person_fields))
	not d.allow
	d.refusal.code == "PURPOSE_NOT_PERMITTED"
}

test_data_subject_token_without_personal_id_is_refused if {
	d := authz.decide(sreq(object.union(me_subject, {"personal_id": "dpo-1"}), null, "query", person_fields))
	not d.allow
	contains(d.refusal.reasons[0], "personalId")
}

test_data_subject_mutates_only_through_rights_mutations if {
	rights := [
		{"coordinate": "Mutation.fileDataSubjectRequest", "category": "BASIC", "kind": "reference"},
		{"coordinate": "DataSubjectRequest.kind", "category": "BASIC", "kind": "code"},
	]
	ok := authz.decide(sreq(me_subject, null, "mutation", rights))
	ok.allow
	ok.fields["Mutation.fileDataSubjectRequest"].effect == "allow"
	bad := authz.decide(sreq(me_subject, null, "mutation", array.concat(rights, [
		{"coordinate": "Mutation.updatePerson", "category": "BASIC", "kind": "reference"},
	])))
	not bad.allow
	contains(bad.refusal.reasons[0], "Mutation.updatePerson")
}

test_dpo_uses_the_rights_service_without_purpose_and_is_no_data_subject if {
	dpo := {"agency": "bo-tu-phap", "kind": "justice_ministry", "province": null, "role": "dpo"}
	fields := [
		{"coordinate": "Query.dataSubjectRequests", "category": "BASIC", "kind": "reference"},
		{"coordinate": "DataSubjectRequest.details", "category": "BASIC", "kind": "free_text"},
	]
	d := authz.decide(sreq(dpo, null, "query", fields))
	d.allow
	every r in d.row_rules {
		r.id != "data_subject_self"
	}
	person := authz.decide(sreq(dpo, null, "query", person_fields))
	not person.allow
	person.refusal.code == "PURPOSE_REQUIRED"
}

test_agency_may_not_call_the_rights_service if {
	court := {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "agency"}
	fields := [{"coordinate": "Mutation.giveConsent", "category": "BASIC", "kind": "reference"}]
	d := authz.decide(sreq(court, null, "mutation", fields))
	not d.allow
}

# --- consent -------------------------------------------------------------------------------------------------

justice := {"agency": "stp-ha-noi", "kind": "justice_department", "province": "001", "role": "agency"}

consent_fields := [
	{"coordinate": "Person.personalId", "category": "IDENTIFIER", "kind": "identifier"},
	{"coordinate": "Person.fullName", "category": "BASIC", "kind": "name"},
	{"coordinate": "Person.spouse", "category": "FAMILY", "kind": "reference"},
]

valid_consent := {
	"reference": "c-1", "found": true, "personal_id": me, "agency": "stp-ha-noi",
	"purpose": "consented_provision", "scope": [], "withdrawn": false, "expired": false,
}

consent_rules_for(consent) := out if {
	base := sreq(justice, "consented_provision", "query", consent_fields)
	d := authz.decide(object.union(base, {"consent": consent}))
	out := {r.id: r | some r in d.row_rules}
}

test_purposes_say_whether_they_need_consent if {
	every p in data.purposes {
		is_boolean(p.requires_consent)
		is_string(p.consent_article)
	}
	count([p | some p in data.purposes; p.requires_consent == true; p.exempt_004_art17 == true]) == 0
	count([p | some p in data.purposes; p.requires_consent == true]) > 0
}

test_valid_consent_covers_its_person_only if {
	got := consent_rules_for(valid_consent)
	r := got.consent_required
	r.when == {"attr": "subject", "op": "not_in", "value": [me], "if_unknown": true}
	r.effect == "withhold"
	contains(r.reason, "covers person")
	not got.consent_scope
}

test_no_consent_reference_withholds_everyone if {
	base := sreq(justice, "consented_provision", "query", consent_fields)
	d := authz.decide(base)
	got := {r.id: r | some r in d.row_rules}
	got.consent_required.when.value == []
	contains(got.consent_required.reason, "X-Consent-Reference")
}

test_withdrawn_consent_withholds if {
	got := consent_rules_for(object.union(valid_consent, {"withdrawn": true}))
	got.consent_required.when.value == []
	contains(got.consent_required.reason, "withdrawn")
}

test_expired_consent_withholds if {
	got := consent_rules_for(object.union(valid_consent, {"expired": true}))
	got.consent_required.when.value == []
	contains(got.consent_required.reason, "expired")
}

test_unknown_expiry_withholds if {
	got := consent_rules_for(object.remove(valid_consent, ["expired"]))
	got.consent_required.when.value == []
}

test_other_agencys_consent_withholds if {
	got := consent_rules_for(object.union(valid_consent, {"agency": "stp-ho-chi-minh"}))
	got.consent_required.when.value == []
	contains(got.consent_required.reason, "agency")
}

test_other_purposes_consent_withholds if {
	got := consent_rules_for(object.union(valid_consent, {"purpose": "statistics"}))
	got.consent_required.when.value == []
	contains(got.consent_required.reason, "purpose statistics")
}

test_unrecorded_consent_withholds if {
	got := consent_rules_for(object.union(valid_consent, {"found": false}))
	got.consent_required.when.value == []
	contains(got.consent_required.reason, "not recorded")
}

test_partial_consent_withholds_other_categories if {
	got := consent_rules_for(object.union(valid_consent, {"scope": ["IDENTIFIER", "BASIC"]}))
	r := got.consent_scope
	r.coordinates == ["Person.spouse"]
	r.when.op == "in"
}

test_exempt_purposes_need_no_consent if {
	registry := {"agency": "ubnd-phuong-hoan-kiem", "kind": "civil_registry", "province": "001", "role": "agency"}
	d := authz.decide(sreq(registry, "civil_status_registration", "query", consent_fields))
	ids := {r.id | some r in d.row_rules}
	not "consent_required" in ids
}

test_data_subject_may_not_search_by_name if {
	inp := object.union(sreq(me_subject, null, "query", person_fields), {"calls": [
		{"key": "hits", "coordinate": "Query.searchPersons", "arguments": {}},
		{"key": "me", "coordinate": "Query.person", "arguments": {}},
	]})
	d := authz.decide(inp)
	d.allow
	d.root_fields.hits.effect == "withhold"
	not d.root_fields.me
}

# --- relatives inside the subject's own record (003 Art. 13) ----------------------------------------------------

father := "001060000001"

spouse := "079090000003"

relative_fields := array.concat(person_fields, [
	{"coordinate": "Person.dateOfBirth", "category": "BASIC", "kind": "date"},
	{"coordinate": "Person.otherNames", "category": "BASIC", "kind": "name"},
	{"coordinate": "Person.oldIdCardNumber", "category": "IDENTIFIER", "kind": "identifier"},
	{"coordinate": "MarriageRegistration.registrationNumber", "category": "IDENTIFIER", "kind": "identifier"},
])

with_relatives(relatives) := object.union(me_subject, {"relatives": relatives})

test_relatives_rows_are_kept_with_what_an_extract_shows if {
	d := authz.decide(sreq(with_relatives([spouse, father]), null, "query", relative_fields))
	got := {r.id: r | some r in d.row_rules}
	got.data_subject_self.when == {"attr": "subject", "op": "not_in", "value": [me, father, spouse], "if_unknown": true}
	got.data_subject_self.report == "silent"
	r := got.data_subject_relative
	r.effect == "withhold"
	r.subjects == "all"
	r.when == {"attr": "subject", "op": "ne", "value": me, "if_unknown": true}
	# of a relative: name, date of birth, ethnicity (and the key); not their other names, old ID card,
	# spouse, events; religion and sentences are withheld by the field rules already
	{c | some c in r.coordinates} == {"Person.otherNames", "Person.oldIdCardNumber", "Person.spouse",
		"MarriageRegistration.registrationNumber"}
	contains(r.reason, "003 Art. 13")
	# the fields themselves are released as for the subject's own data (the row rule limits relatives' rows)
	d.fields["Person.fullName"].effect == "allow"
	d.fields["Person.religion"].effect == "withhold"
}

test_a_relatives_other_rows_are_filtered_silently if {
	d := authz.decide(sreq(with_relatives([spouse, father]), null, "query", relative_fields))
	got := {r.id: r | some r in d.row_rules}
	r := got.data_subject_relative_rows
	r.effect == "filter"
	r.report == "silent"
	r.subjects == "all"
	r.when == {"attr": "subject", "op": "ne", "value": me, "if_unknown": true}
	# every row type of the operation but Person (a relative's person is part of the subject's record)
	r.row_types == ["MarriageRegistration"]
}

test_without_relatives_nothing_changes if {
	plain := authz.decide(sreq(me_subject, null, "query", relative_fields))
	empty := authz.decide(sreq(with_relatives([]), null, "query", relative_fields))
	plain == empty
	not "data_subject_relative" in {r.id | some r in plain.row_rules}
	not "data_subject_relative_rows" in {r.id | some r in plain.row_rules}
}

test_relatives_that_are_not_personal_ids_or_the_subject_are_ignored if {
	d := authz.decide(sreq(with_relatives([me, "12", 7, father]), null, "query", relative_fields))
	got := {r.id: r | some r in d.row_rules}
	got.data_subject_self.when.value == [me, father]
	plain := authz.decide(sreq(with_relatives("001060000001"), null, "query", relative_fields))
	not "data_subject_relative" in {r.id | some r in plain.row_rules}
}
