# Test fixture of the admin data document that the OPA construct generates into the Trino
# bundle next to constructs/opa/trino.rego (the real one is produced by the TypeScript code).
# Loaded by scripts/test-opa.sh for `opa test` and the end-to-end `opa eval` checks.
package stackable_demo

# User names that constructs/opa/trino.rego treats as Trino admins.
trino_admins := {"admin"}
