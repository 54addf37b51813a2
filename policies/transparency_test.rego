package lienthong.transparency_test

import rego.v1

import data.lienthong.authz

subject_self := {"agency": null, "kind": null, "province": null, "role": "data_subject", "personal_id": "001085012345"}

dpo := {"agency": null, "kind": null, "province": null, "role": "dpo"}

court := {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "agency"}

log_fields := [
	{"coordinate": "Query.accessLog", "category": "BASIC"},
	{"coordinate": "AccessLogPage.entries", "category": "BASIC"},
	{"coordinate": "AccessLogEntry.purpose", "category": "BASIC"},
	{"coordinate": "AccessLogAgency.name", "category": "PUBLIC"},
]

req(subject, purpose, fields) := {
	"subject": subject, "purpose": purpose, "legal_basis_present": false,
	"operation": "query", "fields": fields,
}

test_data_subject_reads_the_access_log_without_purpose if {
	d := authz.decide(req(subject_self, null, log_fields))
	d.allow
	every f in log_fields {
		d.fields[f.coordinate].effect == "allow"
	}
}

test_dpo_reads_the_access_log_without_purpose if {
	d := authz.decide(req(dpo, null, log_fields))
	d.allow
	d.fields["AccessLogEntry.purpose"].effect == "allow"
}

test_data_subject_reads_person_data_without_purpose_only_about_themself if {
	fields := array.concat(log_fields, [{"coordinate": "Person.fullName", "category": "BASIC"}])
	d := authz.decide(req(subject_self, null, fields))
	d.allow
	ids := {r.id | some r in d.row_rules}
	ids == {"data_subject_self", "cell_suppression"} # subjects.rego: rows about others are filtered
}

test_agency_needs_a_purpose_for_the_access_log if {
	d := authz.decide(req(court, null, log_fields))
	not d.allow
	d.refusal.code == "PURPOSE_REQUIRED"
}
