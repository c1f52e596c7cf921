# Unit tests of the Trino authorization policy constructs/opa/trino.rego, run with the real OPA.
#
# The request fixtures are the JSON files under test/opa/inputs/ (validated against
# trino-opa-input.schema.json); each is loaded at data.test_inputs.<file name> and
# data.test_inputs.malformed.<file name>, the admin list at data.stackable_demo from
# stackable_demo.rego. scripts/test-opa.sh runs this file with all of them, like:
#   opa test -v constructs/opa/trino.rego test/opa/stackable_demo.rego test/opa/trino_test.rego \
#     test_inputs.admin_execute_query:test/opa/inputs/admin_execute_query.json ...
package trino_test

import data.test_inputs
import data.trino

# --- Helpers ------------------------------------------------------------------

# The admin fixtures that ask for a single decision (data.trino.allow).
single_decision_fixtures := [
	"admin_execute_query",
	"admin_access_catalog",
	"admin_show_schemas",
	"admin_select_from_columns",
	"admin_create_table",
	"admin_get_row_filters",
]

# The admin fixtures that ask for batch filtering (data.trino.batch).
batch_fixtures := [
	"admin_filter_catalogs",
	"admin_filter_schemas",
	"admin_filter_tables",
	"admin_filter_columns",
]

# The fixture request, sent by another identity.
as_identity(request, identity) := object.union(request, {"context": {"identity": identity}})

alice := {"user": "alice", "groups": ["analysts"]}

# Negative checks bind the request first (`request := ...`): `not` on an undefined
# fixture (e.g. a file that was not loaded) would otherwise pass without checking anything.

# --- Admin: everything is allowed ---------------------------------------------

test_admin_may_execute_query if {
	trino.allow with input as test_inputs.admin_execute_query
}

test_admin_may_access_catalog if {
	trino.allow with input as test_inputs.admin_access_catalog
}

test_admin_may_show_schemas if {
	trino.allow with input as test_inputs.admin_show_schemas
}

test_admin_may_select_from_columns if {
	trino.allow with input as test_inputs.admin_select_from_columns
}

test_admin_may_create_table if {
	trino.allow with input as test_inputs.admin_create_table
}

test_admin_is_allowed_for_every_single_decision_fixture if {
	every name in single_decision_fixtures {
		trino.allow with input as test_inputs[name]
	}
}

test_admin_filter_catalogs_keeps_all_catalogs if {
	trino.batch == {0, 1, 2} with input as test_inputs.admin_filter_catalogs
}

test_admin_filter_schemas_keeps_all_schemas if {
	trino.batch == {0, 1, 2} with input as test_inputs.admin_filter_schemas
}

test_admin_filter_tables_keeps_all_tables if {
	trino.batch == {0, 1} with input as test_inputs.admin_filter_tables
}

# FilterColumns: the indices are those of the 13 columns of the single table.
test_admin_filter_columns_keeps_all_columns if {
	request := test_inputs.admin_filter_columns
	count(request.action.filterResources[0].table.columns) == 13
	trino.batch == {i | some i in numbers.range(0, 12)} with input as request
}

test_admin_filter_columns_without_columns_is_empty if {
	request := json.remove(test_inputs.admin_filter_columns, ["action/filterResources/0/table/columns"])
	trino.batch == set() with input as request
}

# --- Any other user: nothing is allowed ---------------------------------------

test_user_fixture_is_denied if {
	request := test_inputs.user_select_from_columns
	not trino.allow with input as request
}

test_user_is_denied_every_single_decision if {
	every name in single_decision_fixtures {
		request := as_identity(test_inputs[name], alice)
		not trino.allow with input as request
	}
}

test_user_batch_is_empty_for_every_filter if {
	every name in batch_fixtures {
		trino.batch == set() with input as as_identity(test_inputs[name], alice)
	}
}

# Admin rights belong to user names, not to groups, and names are case-sensitive.
test_user_in_group_named_admin_is_denied if {
	request := as_identity(test_inputs.admin_execute_query, {"user": "alice", "groups": ["admin"]})
	not trino.allow with input as request
}

test_user_name_differing_in_case_is_denied if {
	request := as_identity(test_inputs.admin_filter_catalogs, {"user": "Admin", "groups": []})
	not trino.allow with input as request
	trino.batch == set() with input as request
}

# --- graceful-shutdown-user: read and write system information, nothing else ---

shutdown_user := {"user": "graceful-shutdown-user", "groups": []}

# Both fixtures are exactly what Trino sends: the identity and the bare operation.
test_shutdown_user_may_write_system_information if {
	request := test_inputs.shutdown_user_write_system_information
	request.context.identity.user == "graceful-shutdown-user"
	request.action == {"operation": "WriteSystemInformation"}
	trino.allow with input as request
}

test_shutdown_user_may_read_system_information if {
	request := test_inputs.shutdown_user_read_system_information
	request.action == {"operation": "ReadSystemInformation"}
	trino.allow with input as request
}

# Draining must work even when the admin list is missing or empty.
test_shutdown_does_not_depend_on_the_admin_list if {
	request := test_inputs.shutdown_user_write_system_information
	trino.allow with input as request with data.stackable_demo as {}
	trino.allow with input as request with data.stackable_demo.trino_admins as set()
}

test_shutdown_user_may_not_execute_query_access_catalog_or_select if {
	every name in ["admin_execute_query", "admin_access_catalog", "admin_select_from_columns"] {
		request := as_identity(test_inputs[name], shutdown_user)
		request.context.identity.user == "graceful-shutdown-user"
		not trino.allow with input as request
	}
}

test_shutdown_user_is_denied_every_other_single_decision if {
	every name in single_decision_fixtures {
		request := as_identity(test_inputs[name], shutdown_user)
		not trino.allow with input as request
	}
}

# Other operations without a resource, e.g. killing or viewing queries, stay denied.
test_shutdown_user_may_only_use_the_two_operations if {
	every operation in ["ExecuteQuery", "ImpersonateUser", "SetSystemSessionProperty", "KillQueryOwnedBy", "SystemInformation"] {
		request := json.patch(test_inputs.shutdown_user_write_system_information, [{"op": "replace", "path": "/action/operation", "value": operation}])
		not trino.allow with input as request
	}
}

test_shutdown_user_batch_is_empty_for_every_filter if {
	every name in batch_fixtures {
		request := as_identity(test_inputs[name], shutdown_user)
		trino.batch == set() with input as request
	}
	trino.batch == set() with input as test_inputs.shutdown_user_write_system_information
}

test_shutdown_user_gets_no_row_filters_or_column_masks if {
	trino.rowFilters == set() with input as as_identity(test_inputs.admin_get_row_filters, shutdown_user)
	trino.batchColumnMasks == set() with input as as_identity(test_inputs.admin_get_column_masks, shutdown_user)
}

# Only the exact user name counts: not a similar name, not its case variant, not a group.
test_similar_users_may_not_write_system_information if {
	request := test_inputs.shutdown_user_write_system_information
	every identity in [
		{"user": "graceful-shutdown-user2", "groups": []},
		{"user": "graceful-shutdown", "groups": []},
		{"user": " graceful-shutdown-user", "groups": []},
		{"user": "Graceful-Shutdown-User", "groups": []},
		{"user": "alice", "groups": ["graceful-shutdown-user"]},
		{"user": "graceful-shutdown-user", "groups": "graceful-shutdown-user"},
		{"user": ["graceful-shutdown-user"], "groups": []},
	] {
		not trino.allow with input as as_identity(request, identity)
	}
}

test_other_users_may_not_read_or_write_system_information if {
	every name in ["shutdown_user_read_system_information", "shutdown_user_write_system_information"] {
		request := as_identity(test_inputs[name], alice)
		not trino.allow with input as request
	}
}

test_anonymous_may_not_write_system_information if {
	request := json.remove(test_inputs.shutdown_user_write_system_information, ["context/identity"])
	not trino.allow with input as request
}

# Trino sends the bare operation; anything added to the action is not that request.
test_shutdown_request_with_extra_action_fields_is_denied if {
	request := test_inputs.malformed.shutdown_with_resource
	request.context.identity.user == "graceful-shutdown-user"
	not trino.allow with input as request
	every field in ["filterResources", "targetResource", "grantee"] {
		extended := json.patch(test_inputs.shutdown_user_write_system_information, [{"op": "add", "path": sprintf("/action/%s", [field]), "value": []}])
		not trino.allow with input as extended
	}
	not trino.allow with input as json.patch(test_inputs.shutdown_user_write_system_information, [{"op": "replace", "path": "/action", "value": "WriteSystemInformation"}])
}

# Admins keep every right, system information included.
test_admin_may_still_read_and_write_system_information if {
	every name in ["shutdown_user_read_system_information", "shutdown_user_write_system_information"] {
		request := as_identity(test_inputs[name], {"user": "admin", "groups": []})
		trino.allow with input as request
	}
}

# --- Anonymous and malformed requests: denied ----------------------------------

test_anonymous_is_denied if {
	request := test_inputs.malformed.no_identity
	not trino.allow with input as request
}

test_anonymous_batch_is_empty if {
	request := json.remove(test_inputs.admin_filter_catalogs, ["context/identity"])
	trino.batch == set() with input as request
}

test_empty_user_name_is_denied if {
	request := as_identity(test_inputs.admin_execute_query, {"user": "", "groups": []})
	not trino.allow with input as request
}

test_empty_or_non_object_input_is_denied if {
	not trino.allow with input as {}
	not trino.allow with input as "admin"
	trino.batch == set() with input as {}
}

test_missing_action_is_denied if {
	request := test_inputs.malformed.missing_action
	not trino.allow with input as request
}

test_operation_that_is_not_a_string_is_denied if {
	request := test_inputs.malformed.operation_not_string
	not trino.allow with input as request
}

test_empty_operation_is_denied if {
	request := json.patch(test_inputs.admin_execute_query, [{"op": "replace", "path": "/action/operation", "value": ""}])
	not trino.allow with input as request
}

test_action_that_is_not_an_object_is_denied if {
	request := json.patch(test_inputs.admin_execute_query, [{"op": "replace", "path": "/action", "value": "ExecuteQuery"}])
	not trino.allow with input as request
}

test_user_that_is_not_a_string_is_denied if {
	request := test_inputs.malformed.user_not_string
	not trino.allow with input as request
}

test_groups_that_are_not_a_list_are_denied if {
	request := test_inputs.malformed.groups_not_list
	not trino.allow with input as request
}

test_resource_that_is_not_an_object_is_denied if {
	request := test_inputs.malformed.resource_not_object
	not trino.allow with input as request
}

# An object instead of a list must not be read as {"0": ..., "1": ...}.
test_filter_resources_that_are_not_a_list_give_empty_batch if {
	request := test_inputs.malformed.filter_resources_not_list
	trino.batch == set() with input as request
	not trino.allow with input as request
}

# Items that are not resource objects (or columns that are not names) are never allowed.
test_batch_keeps_only_well_formed_items if {
	catalogs := json.patch(test_inputs.admin_filter_catalogs, [
		{"op": "replace", "path": "/action/filterResources/1", "value": "prediction"},
		{"op": "replace", "path": "/action/filterResources/2", "value": null},
	])
	trino.batch == {0} with input as catalogs
	columns := json.patch(test_inputs.admin_filter_columns, [{
		"op": "replace", "path": "/action/filterResources/0/table/columns",
		"value": ["pickup_ts", 7, null, "score"],
	}])
	trino.batch == {0, 3} with input as columns
}

test_filter_columns_with_two_tables_gives_empty_batch if {
	trino.batch == set() with input as test_inputs.malformed.filter_columns_two_tables
}

# --- Row filters and column masks: none, for everyone --------------------------

test_row_filters_are_empty if {
	trino.rowFilters == set() with input as test_inputs.admin_get_row_filters
	trino.rowFilters == set() with input as as_identity(test_inputs.admin_get_row_filters, alice)
}

test_column_masks_are_empty if {
	trino.batchColumnMasks == set() with input as test_inputs.admin_get_column_masks
	trino.batchColumnMasks == set() with input as as_identity(test_inputs.admin_get_column_masks, alice)
}

# --- The admin list comes from data.stackable_demo.trino_admins ----------------

test_admins_come_from_the_data_document if {
	admin_request := test_inputs.admin_filter_tables
	alice_request := as_identity(admin_request, alice)
	trino.allow with input as alice_request with data.stackable_demo.trino_admins as {"alice"}
	trino.batch == {0, 1} with input as alice_request with data.stackable_demo.trino_admins as {"alice"}
	not trino.allow with input as admin_request with data.stackable_demo.trino_admins as {"alice"}
}

test_missing_admin_data_allows_nobody if {
	request := test_inputs.admin_execute_query
	not trino.allow with input as request with data.stackable_demo as {}
	trino.batch == set() with input as test_inputs.admin_filter_catalogs with data.stackable_demo as {}
}

test_empty_admin_set_allows_nobody if {
	request := test_inputs.admin_execute_query
	not trino.allow with input as request with data.stackable_demo.trino_admins as set()
}

# The document must be a set of names: a list or a plain string fails closed.
test_admin_data_of_the_wrong_type_allows_nobody if {
	request := test_inputs.admin_execute_query
	not trino.allow with input as request with data.stackable_demo.trino_admins as ["admin"]
	not trino.allow with input as request with data.stackable_demo.trino_admins as "admin"
}

# Only string members of the set are user names.
test_admin_names_that_are_not_strings_are_ignored if {
	request := test_inputs.malformed.user_not_string
	request.context.identity.user == ["admin"]
	not trino.allow with input as request with data.stackable_demo.trino_admins as {["admin"]}
}
