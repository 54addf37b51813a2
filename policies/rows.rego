# Row rules: conditions on individual rows that only the gateway can evaluate once the data is fetched (like
# OPA partial evaluation for data filtering: the policy fixes everything about the caller and leaves a
# residual predicate over facts). The facts are declared in the subgraph schemas (docs/PROTECTION.md):
# - facts about every data subject of a row (`@dataSubject`), from the subject's owner: birthDate, deceased,
#   missing, restricted, residenceProvinceCode;
# - facts about the row itself (`@protectionFact(name:)`): registrationProvince, registeredAtMission,
#   enforcementProvince, cellCount.
# A rule over subject facts only applies to every row of every type that holds personal data, on every path,
# and hits when it hits for any subject of the row; a rule that also reads a row fact applies to the types that
# declare it. A fact that cannot be had is unknown: `if_unknown` is the outcome then, and every shipped rule
# sets it to the restrictive one (unknown means withheld).
#
# A rule: {"id", "when": <predicate>, "effect": "withhold" | "filter", "coordinates": [...], "reason",
#          optional "report": "summary" (reported once per response, never located or counted) or "silent" (a
#          filter that leaves no trace: the row answers as one that does not exist, subjects.rego)}.
# A predicate: {"attr", "op": eq|ne|in|not_in|lt|present|age_under, "value", "if_unknown"}, {"any": [...]},
# {"all": [...]}, {"not": ...}. "withhold" nulls the listed coordinates of the row's type, "filter" drops it.
package lienthong.authz

import rego.v1

# METADATA
# title: Row rules of a decision
# description: Every row rule the caller and purpose call for; effects is field_effects(inp), computed once.
# custom:
#   article: "004 Art. 19, 20, 9.6, 3.4; 003 Art. 8.1, 8.3, 8.4, 13.1; 000 Art. 13.1"
row_rules(inp, effects) := array.concat(
	array.concat(array.concat(minor_rules(inp, effects), child_rules(inp, personal)), scope_rules(inp)),
	array.concat(array.concat(deceased_rules(inp, personal), restricted_rules(inp, personal)), suppression_rules(inp)),
) if {
	personal := visible_of(inp, effects, personal_categories)
}

# METADATA
# title: Visible coordinates of some categories
# description: The requested coordinates of the given categories the field rules did not already withhold.
# custom:
#   article: "004 Art. 2.3, 2.4"
visible_of(inp, effects, categories) := sort([f.coordinate |
	some f in inp.fields
	f.category in categories
	effects[f.coordinate].effect != "withhold"
])

# METADATA
# title: Personal-data categories
# description: Every known category but PUBLIC (data/rules.json categories).
# custom:
#   article: "004 Art. 2.1, 2.3, 2.4"
personal_categories := {c | some c in data.rules.categories; c != "PUBLIC"}

# METADATA
# title: Purpose exempt under 004 Art. 17
# description: The purpose is one the catalogue marks as processing without the data subject's consent.
# custom:
#   article: "004 Art. 17"
exempt_art17(inp) if purposes[inp.purpose].exempt_004_art17 == true

# METADATA
# title: Minors' criminal data
# description: >-
#   Criminal data of a person under 18 only for the purposes of data/rules.json minors (criminal proceedings and
#   their supervision): the best interests of the child and the confidentiality of juvenile offenders. A person
#   whose date of birth is unknown may be a minor: withheld.
# custom:
#   article: "004 Art. 20.1; Bộ luật Hình sự Art. 91; 000 Art. 13.2"
minor_rules(inp, effects) := [{
	"id": "minor_criminal",
	"when": {"attr": "birthDate", "op": "age_under", "value": data.rules.minors.age, "if_unknown": true},
	"effect": "withhold",
	"coordinates": coords,
	"reason": sprintf("004 Art. 20.1, juvenile justice (Bộ luật Hình sự Art. 91): criminal data of a person under %d only for purposes %v", [data.rules.minors.age, data.rules.minors.criminal_purposes]),
}] if {
	not inp.purpose in data.rules.minors.criminal_purposes
	coords := visible_of(inp, effects, {"CRIMINAL"})
	count(coords) > 0
} else := []

# METADATA
# title: Children's data needs consent
# description: >-
#   Processing a child's data needs the consent of the child from age 7 and of a parent or guardian, except in
#   the cases of 004 Art. 17. The gateway records no consent of a child, so a child's personal data (a person
#   under data/rules.json children.age) is withheld for a purpose not exempt under Art. 17; an unknown date of
#   birth cannot verify the age (Art. 20.2, last sentence): withheld.
# custom:
#   article: "004 Art. 20.2"
child_rules(inp, personal) := [{
	"id": "child_consent",
	"when": {"attr": "birthDate", "op": "age_under", "value": data.rules.children.age, "if_unknown": true},
	"effect": "withhold",
	"coordinates": personal,
	"reason": sprintf("004 Art. 20.2: data of a child under %d needs the consent of the child (from age %d) and of a parent or guardian; purpose %s is not exempt under 004 Art. 17", [data.rules.children.age, data.rules.children.consent_of_child_from_age, inp.purpose]),
}] if {
	not exempt_art17(inp)
	count(personal) > 0
} else := []

# METADATA
# title: Place-independent purpose
# description: Extracts are issued whatever the place of registration and of residence (no area scope).
# custom:
#   article: "003 Art. 13.1"
place_independent(inp) if inp.purpose in data.rules.place_independent_purposes

# METADATA
# title: Scope of the caller's agency
# description: The area or registrations an agency kind exploits; none for a place-independent purpose.
# custom:
#   article: "003 Art. 8.1, 8.3, 8.4, 13.1; 000 Art. 13.1"
scope_rules(inp) := [] if {
	place_independent(inp)
} else := array.concat(array.concat(province_rules(inp), mission_rules(inp)), management_rules(inp))

# METADATA
# title: Province scope
# description: >-
#   A justice department exploits the records registered by the registration bodies of its area or of persons
#   residing there (8.4): a record registered elsewhere is kept only when every one of its subjects resides in
#   the province (a record of someone residing elsewhere is that person's data too). A civil registry registers
#   within its competence (8.1): records registered in its province. On every path that reaches the record.
# custom:
#   article: "003 Art. 8.4"
#   branches: ["003 Art. 8.4", "003 Art. 8.1", "003 Art. 8.4"]
province_rules(inp) := [{
	"id": "province_scope",
	"when": {"all": [
		{"attr": "registrationProvince", "op": "ne", "value": inp.subject.province, "if_unknown": true},
		{"attr": "residenceProvinceCode", "op": "ne", "value": inp.subject.province, "if_unknown": true},
	]},
	"effect": "filter",
	"coordinates": [],
	"reason": sprintf("003 Art. 8.4: %s sees civil status records registered in its province (%v) or of persons residing there only", [inp.subject.kind, inp.subject.province]),
}] if {
	inp.subject.kind in data.rules.residence_scoped_kinds
} else := [{
	"id": "province_scope",
	"when": {"attr": "registrationProvince", "op": "ne", "value": inp.subject.province, "if_unknown": true},
	"effect": "filter",
	"coordinates": [],
	"reason": sprintf("003 Art. 8.1 (within its competence), 003 Art. 8.4 (its area): %s sees civil status records registered in its province (%v) only", [inp.subject.kind, inp.subject.province]),
}] if {
	inp.subject.kind in data.rules.province_scoped_kinds
} else := []

# METADATA
# title: Registrations at missions abroad
# description: >-
#   The foreign affairs body exploits the civil status records registered at the representative missions abroad
#   (Cơ quan đại diện); any other record is filtered out, and so is one whose place of registration is unknown.
# custom:
#   article: "003 Art. 8.3"
mission_rules(inp) := [{
	"id": "mission_scope",
	"when": {"attr": "registeredAtMission", "op": "ne", "value": true, "if_unknown": true},
	"effect": "filter",
	"coordinates": [],
	"reason": sprintf("003 Art. 8.3: %s sees civil status records registered at representative missions abroad only", [inp.subject.kind]),
}] if {
	inp.subject.kind in data.rules.mission_scoped_kinds
} else := []

# METADATA
# title: Sentences a provincial enforcement body manages
# description: >-
#   A body that builds and updates the criminal enforcement database exploits the data within its management
#   scope: a provincial enforcement body (an agency of a management-scoped kind with a province) the sentences
#   enforced by the bodies of its province (row fact enforcementProvince); a national one (no province) all.
#   Unknown: withheld.
# custom:
#   article: "000 Art. 13.1"
management_rules(inp) := [{
	"id": "management_scope",
	"when": {"attr": "enforcementProvince", "op": "ne", "value": inp.subject.province, "if_unknown": true},
	"effect": "filter",
	"coordinates": [],
	"reason": sprintf("000 Art. 13.1: %s of province %v exploits the sentences enforced in its province only", [inp.subject.kind, inp.subject.province]),
}] if {
	inp.subject.kind in data.rules.management_scoped_kinds
	is_string(inp.subject.province)
} else := []

# METADATA
# title: Deceased or missing persons
# description: >-
#   Data of a deceased or missing person needs the consent of the family, except in the cases of Art. 17 and 18;
#   the gateway cannot check consent, so only Art. 17-exempt purposes see it. Unknown: withheld. personal: the
#   personal-data coordinates the field rules did not withhold (visible_of).
# custom:
#   article: "004 Art. 19.1"
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

# METADATA
# title: Restriction of processing
# description: A person who restricted the processing of their data is visible only for Art. 17-exempt purposes.
# custom:
#   article: "004 Art. 9.6"
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

# METADATA
# title: Small-cell suppression
# description: >-
#   Aggregate cells under the threshold are suppressed (small cells re-identify people), for the statistics
#   office whatever purpose it declares or omits, and for everyone else unless the purpose is exempt (data/rules.json
#   cell_suppression). Suppressed cells are reported once, never located or counted.
# custom:
#   article: "004 Art. 3.4; 000 Art. 13.2"
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

# METADATA
# title: Suppression for the statistics office
# description: The statistics office's aggregates are always suppressed under the threshold.
# custom:
#   article: "004 Art. 3.4"
suppresses(inp) if statistics_office(inp)

# METADATA
# title: Suppression unless the purpose is exempt
# description: Everyone else's aggregates are suppressed unless the purpose is exempt (criminal justice).
# custom:
#   article: "004 Art. 3.4"
suppresses(inp) if not inp.purpose in data.rules.cell_suppression.exempt_purposes

# METADATA
# title: Suppression threshold
# description: The purpose's own threshold, or data/rules.json cell_suppression.threshold.
# custom:
#   article: "004 Art. 3.4"
suppression_threshold(inp) := purposes[inp.purpose].cell_suppression_threshold if {
	purposes[inp.purpose].cell_suppression_threshold
} else := data.rules.cell_suppression.threshold
