# Masks a purpose applies to the fields it may see, by field kind (name, identifier, date, address, free_text)
# and by category. Default: statistics never sees names, identifiers are pseudonymised, dates reduced to the
# year and addresses to the province (004 Art. 3.4 minimisation; 000 Art. 13.2: sensitive data anonymised).
package lienthong.authz

import rego.v1

field_name(coordinate) := split(coordinate, ".")[1]

suffixes := data.field_kinds.by_suffix

# The kind of a field: explicit coordinate, then field name, then the first matching name suffix.
field_kind(coordinate) := k if {
	k := data.field_kinds.by_coordinate[coordinate]
} else := k if {
	k := data.field_kinds.by_field[field_name(coordinate)]
} else := suffixes[i].kind if {
	name := field_name(coordinate)
	matched := [j | some j; s := suffixes[j]; endswith(name, s.suffix)]
	i := min(matched)
} else := "other"

mask_reason(ctx, mask, by) := sprintf("%s: purpose %s gets %s fields as %s (004 Art. 3.4)", [ctx.basis, ctx.purpose, by, mask])

mask_effect(ctx, mask, by) := {"effect": "withhold", "mask": "withhold", "reason": mask_reason(ctx, mask, by)} if {
	mask == "withhold"
} else := {"effect": "mask", "mask": mask, "reason": mask_reason(ctx, mask, by)}

# Defined only when the purpose masks this field (ctx: see context in fields.rego).
purpose_mask(ctx, f) := mask_effect(ctx, m, k) if {
	ctx.entry.masks_by_kind
	k := field_kind(f.coordinate)
	m := ctx.entry.masks_by_kind[k]
} else := mask_effect(ctx, m, f.category) if {
	m := ctx.entry.masks_by_category[f.category]
}
