# Transparency: the data subject may know who accessed their data (004 Art. 9.1; 000 Art. 13.7), and the
# data-protection officer inspects the processing logs (004 Art. 38.2). Neither processes the data for a purpose
# of their own, so reading the access log needs no X-Purpose; the gateway's accessLog resolver still checks that
# a data subject reads only their own log. Roles and coordinates: data/rules.json "transparency".
package lienthong.authz

import rego.v1

# METADATA
# title: Access log read by the data subject or the DPO
# description: >-
#   The data subject may know who accessed their data and the data-protection officer inspects the processing
#   logs; neither processes the data for a purpose of their own, so no X-Purpose is needed (the gateway's
#   accessLog resolver checks that a data subject reads only their own log).
# custom:
#   article: "004 Art. 9.1, 38.2; 000 Art. 13.7"
transparency_read(subject, coordinate) if {
	subject.role in data.rules.transparency.roles
	transparency_coordinate(coordinate)
}

# METADATA
# title: Access log root field
# description: >-
#   Access log root field
# custom:
#   article: "004 Art. 9.1, 38.2"
transparency_coordinate(coordinate) if coordinate in data.rules.transparency.root_fields

# METADATA
# title: Access log types
# description: >-
#   Access log types
# custom:
#   article: "004 Art. 9.1, 38.2"
transparency_coordinate(coordinate) if {
	type_name := split(coordinate, ".")[0]
	type_name in data.rules.transparency.types
}
