// Tests of CRD loading and custom resource validation, on the real Stackable CRDs
// (STACKABLE_CRDS_DIR, default ../../../../../shared/crds) and on small CRDs in testdata/.
package crds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

func stackableCRDs(t *testing.T) *Registry {
	t.Helper()
	dir := os.Getenv("STACKABLE_CRDS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "..", "shared", "crds")
	}
	r, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("loading the Stackable CRDs (set STACKABLE_CRDS_DIR): %v", err)
	}
	return r
}

func object(t *testing.T, y string) map[string]interface{} {
	t.Helper()
	var obj map[string]interface{}
	if err := yaml.Unmarshal([]byte(y), &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestLoadsStackableCRDsWithTheirScope(t *testing.T) {
	r := stackableCRDs(t)
	for gk, namespaced := range map[schema.GroupKind]bool{
		{Group: "hive.stackable.tech", Kind: "HiveCluster"}:                   true,
		{Group: "trino.stackable.tech", Kind: "TrinoCatalog"}:                 true,
		{Group: "spark.stackable.tech", Kind: "SparkApplication"}:             true,
		{Group: "s3.stackable.tech", Kind: "S3Connection"}:                    true,
		{Group: "secrets.stackable.tech", Kind: "SecretClass"}:                false,
		{Group: "authentication.stackable.tech", Kind: "AuthenticationClass"}: false,
		{Group: "listeners.stackable.tech", Kind: "ListenerClass"}:            false,
	} {
		k, ok := r.Lookup(gk)
		if !ok {
			t.Errorf("%s not loaded", gk)
			continue
		}
		if k.Namespaced != namespaced {
			t.Errorf("%s: namespaced=%v, want %v", gk, k.Namespaced, namespaced)
		}
	}
	// Both served versions of SecretClass are known.
	k, _ := r.Lookup(schema.GroupKind{Group: "secrets.stackable.tech", Kind: "SecretClass"})
	if len(k.Versions) != 2 || !k.Versions["v1alpha1"].Served || !k.Versions["v1alpha2"].Served {
		t.Errorf("SecretClass versions: %v", k.versionNames())
	}
}

func TestReportsEveryProblemOfAnObject(t *testing.T) {
	r := stackableCRDs(t)
	k, _ := r.Lookup(schema.GroupKind{Group: "hive.stackable.tech", Kind: "HiveCluster"})
	obj := object(t, `
apiVersion: hive.stackable.tech/v1alpha1
kind: HiveCluster
metadata: {name: Hive_1, namespace: demo, labels: {"bad label": x}}
spec:
  image: {productVersion: 4.0.1}
  clusterConfig: {bogus: 1, metadataDatabase: {postgresql: {host: h, database: d}}}
  metastore: {roleGroups: {default: {replicas: -1}}}
`)
	before := len(obj["spec"].(map[string]interface{})["clusterConfig"].(map[string]interface{}))
	got := strings.Join(k.Validate(obj, Options{RequireNamespace: true}), "\n")
	for _, want := range []string{
		`unknown field "spec.clusterConfig.bogus"`,
		`metadata.name: Invalid value: "Hive_1"`,
		`metadata.labels: Invalid value: "bad label"`,
		`spec.clusterConfig.metadataDatabase.postgresql.credentialsSecretName: Required value`,
		`spec.metastore.roleGroups.default.replicas: Invalid value: -1: spec.metastore.roleGroups.default.replicas in body should be greater than or equal to 0`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if after := len(obj["spec"].(map[string]interface{})["clusterConfig"].(map[string]interface{})); after != before {
		t.Errorf("Validate modified its input")
	}
}

func TestVersionsAndDefaults(t *testing.T) {
	r, err := LoadDir(filepath.Join("testdata", "widgets"))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Kinds(); len(got) != 1 || got[0].Kind != "Widget" {
		t.Fatalf("kinds: %v", got)
	}
	k, _ := r.Lookup(schema.GroupKind{Group: "example.com", Kind: "Widget"})
	cases := []struct{ yaml, want string }{
		{`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: ns}, spec: {size: 3}}`, ""},
		{`{apiVersion: example.com/v0, kind: Widget, metadata: {name: w, namespace: ns}, spec: {size: 3}}`,
			`apiVersion: version "v0" of Widget is not served by CRD widgets.example.com`},
		{`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: ns}, spec: {size: 11}}`,
			`spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10`},
		{`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: ns}, spec: {size: 3, color: green}}`,
			`spec.color: Unsupported value: "green": supported values: "blue", "red"`},
		{`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: ns}, spec: {size: 3, tags: [a, a]}}`,
			`spec.tags[1]: Duplicate value: "a"`},
		{`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: ns}, spec: {size: 3, template: {apiVersion: v1, metadata: {labels: {"bad label": x}}}}}`,
			"spec.template.kind: Required value\nspec.template.metadata.labels: Invalid value: \"bad label\""},
		{`{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {size: 3}}`,
			`metadata.namespace: Required value: Widget is namespaced`},
	}
	for _, c := range cases {
		got := strings.Join(k.Validate(object(t, c.yaml), Options{RequireNamespace: true}), "\n")
		if (c.want == "" && got != "") || !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.yaml, got, c.want)
		}
	}
}

func TestRefusesCRDsWithCELRules(t *testing.T) {
	_, err := LoadDir(filepath.Join("testdata", "cel"))
	if err == nil || !strings.Contains(err.Error(), "openAPIV3Schema.properties[spec] declares x-kubernetes-validations") {
		t.Fatalf("got %v", err)
	}
}

func TestRefusesFoldersWithoutCRDs(t *testing.T) {
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Fatal("an empty folder was accepted")
	}
}
