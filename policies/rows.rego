# Row rules: conditions on individual rows that only the gateway can evaluate once the data is fetched (like
# OPA partial evaluation for data filtering: the policy fixes everything about the caller and leaves a
# residual predicate over facts). The facts are declared in the subgraph schemas (docs/PROTECTION.md):
# - facts about every data subject of a row (`@dataSubject`), from the subject's owner: birthDate, deceased,
#   missing, restricted, residenceProvinceCode;
# - facts about the row itself (`@protectionFact(name:)`): registrationProvince, cellCount.
# A rule over subject facts applies to every row of every type that holds personal data, on every path, and
# hits when it hits for any subject of the row. A fact that cannot be had is unknown: `if_unknown` is the
# outcome then, and every shipped rule sets it to the restrictive one (unknown means withheld).
#
# A rule: {"id", "when": <predicate>, "effect": "withhold" | "filter", "coordinates": [...], "reason",
#          optional "report": "summary" (reported once per response, never located or counted)}.
# A predicate: {"attr", "op": eq|ne|in|not_in|lt|present|age_under, "value", "if_unknown"}, {"any": [...]},
# {"all": [...]}, {"not": ...}. "withhold" nulls the listed coordinates of the row's type, "filter" drops it.
package lienthong.authz

import rego.v1

# effects: the result of field_effects(inp), passed in so that it is computed once per evaluation.
row_rules(inp, effects) := array.concat(
	array.concat(minor_rules(inp, effects), province_rules(inp)),
	array.concat(array.concat(deceased_rules(inp, personal), restricted_rules(inp, personal)), suppression_rules(inp)),
) if {
	personal := visible_of(inp, effects, personal_categories)
}

# Coordinates of a category the field rules did not already withhold.
visible_of(inp, effects, categories) := sort([f.coordinate |
	some f in inp.fields
	f.category in categories
	effects[f.coordinate].effect != "withhold"
])

personal_categories := {c | some c in data.rules.categories; c != "PUBLIC"}

exempt_art17(inp) if purposes[inp.purpose].exempt_004_art17 == true

# 004 Art. 20 (children): criminal data of persons under 18 only for the purposes in data/rules.json. A person
# whose date of birth is unknown may be a child: withheld.
minor_rules(inp, effects) := [{
	"id": "minor_criminal",
	"when": {"attr": "birthDate", "op": "age_under", "value": data.rules.minors.age, "if_unknown": true},
	"effect": "withhold",
	"coordinates": coords,
	"reason": sprintf("004 Art. 20: criminal data of a person under %d only for purposes %v", [data.rules.minors.age, data.rules.minors.criminal_purposes]),
}] if {
	not inp.purpose in data.rules.minors.criminal_purposes
	coords := visible_of(inp, effects, {"CRIMINAL"})
	count(coords) > 0
} else := []

# 003 Art. 8.4: provincial justice departments and civil registries see civil status records of their own
# province only (registrations made elsewhere are filtered out, on every path that reaches them).
province_rules(inp) := [{
	"id": "province_scope",
	"when": {"attr": "registrationProvince", "op": "ne", "value": inp.subject.province, "if_unknown": true},
	"effect": "filter",
	"coordinates": [],
	"reason": sprintf("003 Art. 8.4: %s sees civil status records registered in its province (%v) only", [inp.subject.kind, inp.subject.province]),
}] if {
	inp.subject.kind in data.rules.province_scoped_kinds
} else := []

# 004 Art. 19: data of a deceased or missing person needs the consent of the family, except in the cases of
# Art. 17 and 18; the gateway cannot check consent, so only Art. 17-exempt purposes see it. Unknown: withheld.
# personal: the personal-data coordinates the field rules did not withhold (visible_of).
deceased_rules(inp, personal) := [{
	"id": "deceased_or_missing",
	"when": {"any": [
		{"attr": "deceased", "op": "eq", "value": true, "if_unknown": true},
		{"attr": "missing", "op": "eq", "value": true, "if_unknown": true},
	]},
	"effect": "withhold",
	"coordinates": coords,
	"reason": sprintf("004 Art. 19: data of a deceased or missing person; purpose %s is not exempt under 004 Art. 17", [inp.purpose]),
}] if {
	not exempt_art17(inp)
	coords := personal
	count(coords) > 0
} else := []

# 004 Art. 9.6 (right to restrict processing): a restricted person is visible only for Art. 17-exempt purposes.
restricted_rules(inp, personal) := [{
	"id": "processing_restricted",
	"when": {"attr": "restricted", "op": "eq", "value": true, "if_unknown": true},
	"effect": "withhold",
	"coordinates": coords,
	"reason": sprintf("004 Art. 9.6: processing restricted by the data subject; purpose %s is not exempt under 004 Art. 17", [inp.purpose]),
}] if {
	not exempt_art17(inp)
	coords := personal
	count(coords) > 0
} else := []

# Statistics: aggregate cells under the threshold are suppressed (004 Art. 3.4, small cells re-identify people),
# for the statistics office whatever purpose it declares or omits, and for everyone else unless the purpose is
# exempt (data/rules.json cell_suppression). Suppressed cells are reported once, never located or counted.
suppression_rules(inp) := [{
	"id": "cell_suppression",
	"when": {"attr": "cellCount", "op": "lt", "value": t, "if_unknown": true},
	"effect": "filter",
	"coordinates": [],
	"report": "summary",
	"reason": sprintf("statistics: aggregate cells with fewer than %d persons are suppressed (004 Art. 3.4)", [t]),
}] if {
	suppresses(inp)
	t := suppression_threshold(inp)
} else := []

suppresses(inp) if statistics_office(inp)

suppresses(inp) if not inp.purpose in data.rules.cell_suppression.exempt_purposes

suppression_threshold(inp) := purposes[inp.purpose].cell_suppression_threshold if {
	purposes[inp.purpose].cell_suppression_threshold
} else := data.rules.cell_suppression.threshold
