# Trino authorization policy of the TrinoPolicy construct (cdk8s-stackable-demos).
#
# Shipped in the OPA bundle ConfigMap next to a generated data file
# (`package stackable_demo`, `trino_admins := {"admin", ...}`). The Stackable
# trino-operator points Trino's OPA access control at the rules of this package:
#
#   opa.policy.uri                      -> data.trino.allow             single decisions
#   opa.policy.batched-uri              -> data.trino.batch             filtering lists
#   opa.policy.row-filters-uri          -> data.trino.rowFilters        row filters
#   opa.policy.batch-column-masking-uri -> data.trino.batchColumnMasks  column masks
#                                          (only with enableColumnMasking, the default)
#
# Every request has the shape
#   {"context": {"identity": {"user": "...", "groups": [...]},
#                "softwareStack": {"trinoVersion": "481"}, ...},
#    "action": {"operation": "SelectFromColumns", "resource": {...}}}
# (batch requests carry `action.filterResources`, a list, instead of `resource`).
#
# Semantics: the users named in data.stackable_demo.trino_admins may do
# everything; the trino-operator's user `graceful-shutdown-user` may only read
# and write system information (to drain workers, see below); everybody else
# nothing. Anything that is not a well-formed request from one of them is
# denied, and a missing admin list means that nobody is an admin (fail closed).
#
# Tests: scripts/test-opa.sh (opa check --strict, opa fmt, opa test on test/opa/).
package trino

# Names of the admin users: the string members of the set
# data.stackable_demo.trino_admins from the generated data file of the bundle.
# Anything else there (missing document, a list, a string...) yields the empty
# set, so that nobody is an admin.
default admin_users := set()

admin_users := {name |
	some name in data.stackable_demo.trino_admins
	is_string(name)
} if {
	is_set(data.stackable_demo.trino_admins)
}

# True when the request comes from a named admin user. Trino always sends the
# user name and the (possibly empty) list of groups; a request without them is
# anonymous or malformed and never comes from an admin. (A user that is not a
# string cannot match: admin_users holds strings only.)
is_admin if {
	identity := input.context.identity
	is_array(identity.groups)
	identity.user in admin_users
}

# True when `input.action` has the shape Trino sends: an object with a
# non-empty operation name, an optional `resource` object and an optional
# `filterResources` list (Trino omits the fields that do not apply).
valid_action if {
	is_string(input.action.operation)
	input.action.operation != ""
	is_object(object.get(input.action, "resource", {}))
	is_array(object.get(input.action, "filterResources", []))
}

# Graceful shutdown of the workers. What we found in the sources (trino-operator
# and Trino 4xx):
#   - when a worker Pod is terminated, its preStop hook (written by the
#     trino-operator) asks the worker itself to drain with an HTTP PUT of
#     "SHUTTING_DOWN" to /v1/info/state, sending only the header
#     `X-Trino-User: graceful-shutdown-user` (the operator's name for this user
#     since its 24.7 release; it used `admin` before);
#   - Trino protects that endpoint as a management write: it calls the access
#     control's checkCanWriteSystemInformation for that identity, which the OPA
#     plugin turns into a data.trino.allow request whose action is just
#     {"operation": "WriteSystemInformation"} (no resource, and no queryId in
#     the context, as no query is involved). Management reads (e.g. /v1/jmx,
#     /v1/thread) send "ReadSystemInformation" the same way; reading the state
#     itself (GET /v1/info/state) is public and needs no decision;
#   - if it is denied, curl gets 403, the worker keeps running, and Kubernetes
#     kills it at the end of terminationGracePeriodSeconds with its tasks.
# Stackable's own Trino policy bundle grants this user read and write of system
# information; we grant exactly these two operations and nothing else. The user
# name must match exactly (not a group, not a prefix), and the action must be
# the bare operation that Trino sends.
graceful_shutdown_user := "graceful-shutdown-user"

graceful_shutdown_operations := {"ReadSystemInformation", "WriteSystemInformation"}

is_graceful_shutdown_request if {
	identity := input.context.identity
	is_array(identity.groups)
	identity.user == graceful_shutdown_user
	is_object(input.action)
	object.keys(input.action) == {"operation"}
	input.action.operation in graceful_shutdown_operations
}

# allow: the single decision that Trino asks for every operation (ExecuteQuery,
# AccessCatalog, SelectFromColumns, CreateTable, ...) and, when no batch rule
# exists, for every item it filters. The operation is denied unless allow is
# true.
default allow := false

allow if {
	is_admin
	valid_action
}

allow if is_graceful_shutdown_request

# batch: the indices of the items of `input.action.filterResources` that the
# user may see. Trino uses it for the Filter* operations (FilterCatalogs,
# FilterSchemas, FilterTables, FilterViewQueryOwnedBy, ...), e.g. SHOW CATALOGS
# lists exactly the catalogs whose indices are returned. An empty set hides
# everything (as for graceful-shutdown-user, which filters nothing).
batch contains index if {
	is_admin
	valid_action
	input.action.operation != "FilterColumns"
	some index, resource in input.action.filterResources
	is_object(resource)
}

# FilterColumns is the exception: `filterResources` holds ONE table whose
# `table.columns` lists the columns, and the indices refer to that column list
# (e.g. which columns SHOW COLUMNS or DESCRIBE may show).
batch contains index if {
	is_admin
	valid_action
	input.action.operation == "FilterColumns"
	count(input.action.filterResources) == 1
	columns := input.action.filterResources[0].table.columns
	is_array(columns)
	some index, column in columns
	is_string(column)
}

# rowFilters: SQL conditions that Trino adds to every query on the table in
# `input.action.resource.table` (each item `{"expression": "..."}`). This demo
# filters no rows: admins see everything and other users cannot query at all.
rowFilters := set()

# batchColumnMasks: masks for the columns in `input.action.filterResources`
# (each item `{"index": i, "viewExpression": {"expression": "..."}}`). The
# operator configures this endpoint when column masking is enabled (the
# default); this demo masks no column, so the answer is empty for everyone.
batchColumnMasks := set()
