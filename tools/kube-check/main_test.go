// End-to-end tests of the kube-check commands over the fixtures in testdata/, validating
// against the real Stackable CRDs (STACKABLE_CRDS_DIR, default ../../../shared/crds).
// Run: go test ./...
package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func crdDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("STACKABLE_CRDS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "crds")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("Stackable CRDs not found (%v); set STACKABLE_CRDS_DIR", err)
	}
	return dir
}

func runCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func lines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

func TestValidateAcceptsValidObjects(t *testing.T) {
	code, out, errOut := runCmd("validate", "--crds", crdDir(t), "testdata/valid")
	if code != 0 || out != "validated 17 objects: 17 valid, 0 invalid\n" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestValidateRejectsInvalidObjects(t *testing.T) {
	cases := map[string]string{
		"cr-unknown-nested-field.yaml":        `HiveCluster/demo/hive: unknown field "spec.clusterConfig.bogus"`,
		"cr-wrong-type.yaml":                  `spec.metastore.roleGroups.default.replicas: Invalid value: "string": spec.metastore.roleGroups.default.replicas in body must be of type integer`,
		"cr-missing-required.yaml":            `spec.clusterConfig.metadataDatabase: Required value`,
		"cr-enum.yaml":                        `spec.mode: Unsupported value: "local": supported values: "cluster", "client"`,
		"cr-namespace-on-cluster-scoped.yaml": `SecretClass/demo/tls: metadata.namespace: Forbidden: SecretClass is cluster-scoped`,
		"cr-missing-namespace.yaml":           `S3Connection/minio: metadata.namespace: Required value: S3Connection is namespaced`,
		"cr-missing-name.yaml":                `metadata.name: Required value`,
		"cr-unknown-version.yaml":             `version "v1beta1" of HiveCluster is not defined by CRD hiveclusters.hive.stackable.tech`,
		"cr-unknown-kind-in-group.yaml":       `unknown kind "HiveMetastore": the CRDs of group hive.stackable.tech define HiveCluster`,
		"cr-metadata-unknown-field.yaml":      `unknown field "metadata.label"`,
		"cr-podoverrides-unknown-field.yaml":  `unknown field "spec.metastore.podOverrides.spec.containers[0].securityContext.runAsNonroot"`,
		"deployment-unknown-field.yaml":       `Deployment/demo/web: unknown field "spec.template.spec.containers[0].imagePullPolcy"`,
		"deployment-wrong-type.yaml":          `cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
		"deployment-duplicate-env.yaml":       `spec.template.spec.containers[name="web"].env: duplicate entries for key [name="MODE"]`,
		"configmap-duplicate-key.yaml":        `ConfigMap/demo/settings: yaml: unmarshal errors: line 7: key "key" already set in map`,
		"service-bad-name.yaml":               `metadata.name: Invalid value: "1web": a DNS-1035 label`,
		"clusterrole-namespace.yaml":          `metadata.namespace: Forbidden: ClusterRole is cluster-scoped`,
		"pdb-beta.yaml":                       `policy/v1beta1 is a pre-release API version that Kubernetes 1.35 does not serve by default (use policy/v1)`,
		"unknown-kind.yaml":                   `unknown kind: no CRD in the CRD folder and no built-in kind for apiVersion example.com/v1, kind Widget`,
		"unknown-builtin-kind.yaml":           `unknown kind: Deploymnet is not a built-in kind of apps/v1`,
	}
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) != len(cases) {
		t.Fatalf("%d fixtures in testdata/invalid, %d cases: keep them in sync", len(files), len(cases))
	}
	dir := crdDir(t)
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", file)
			code, out, _ := runCmd("validate", "--crds", dir, path)
			got := lines(out)
			if code != 1 || len(got) != 2 || got[1] != "validated 1 objects: 0 valid, 1 invalid" {
				t.Fatalf("want exit 1, one problem line and the summary; got exit %d:\n%s", code, out)
			}
			if !strings.HasPrefix(got[0], path+": ") || !strings.Contains(got[0], want) {
				t.Errorf("problem line\n  %s\ndoes not contain\n  %s", got[0], want)
			}
			if strings.Count(got[0], "; ") > 0 {
				t.Errorf("expected exactly one problem, got: %s", got[0])
			}
		})
	}
}

func TestValidateNamespaceCanBeOptional(t *testing.T) {
	code, out, _ := runCmd("validate", "--crds", crdDir(t), "--require-namespace=false", "testdata/invalid/cr-missing-namespace.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	// A namespace on a cluster-scoped kind stays an error.
	code, out, _ = runCmd("validate", "--crds", crdDir(t), "--require-namespace=false", "testdata/invalid/cr-namespace-on-cluster-scoped.yaml")
	if code != 1 || !strings.Contains(out, "cluster-scoped") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestValidateCountsEveryObjectOfAFolder(t *testing.T) {
	code, out, _ := runCmd("validate", "--crds", crdDir(t), "testdata/valid", "testdata/invalid")
	got := lines(out)
	if code != 1 || got[len(got)-1] != "validated 37 objects: 17 valid, 20 invalid" || len(got) != 21 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"validate", "testdata/valid"},
		{"validate", "--crds", "testdata/does-not-exist", "testdata/valid"},
		{"validate", "--crds", "testdata/valid", "testdata/valid"}, // a folder without CRDs
		{"validate", "--crds", crdDir(t), "testdata/does-not-exist.yaml"},
		{"podsecurity", "--level", "privileged", "testdata/valid"},
		{"podsecurity", "--exceptions", "testdata/does-not-exist.yaml", "testdata/valid"},
	} {
		if code, out, errOut := runCmd(args...); code != 2 {
			t.Errorf("%v: want exit 2, got %d\n%s%s", args, code, out, errOut)
		}
	}
}

func TestPodSecurityAcceptsRestrictedWorkloads(t *testing.T) {
	code, out, _ := runCmd("podsecurity", "--level", "restricted", "testdata/valid")
	want := "evaluated 4 pod templates (2 from podOverrides) at level restricted: 4 compliant, 0 non-compliant; " +
		"0 findings excepted, 0 stale exceptions; 3 custom resources without podOverrides not evaluated\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestPodSecurityRejectsPrivilegedPod(t *testing.T) {
	code, out, _ := runCmd("podsecurity", "testdata/podsecurity/privileged-pod.yaml")
	prefix := "testdata/podsecurity/privileged-pod.yaml: Pod/demo/debug: spec: "
	want := []string{
		prefix + `container "shell": allowPrivilegeEscalation (allowPrivilegeEscalation != false): container "shell" must set securityContext.allowPrivilegeEscalation=false`,
		prefix + `container "shell": capabilities_restricted (unrestricted capabilities): container "shell" must set securityContext.capabilities.drop=["ALL"]`,
		prefix + `pod: hostNamespaces (host namespaces): hostNetwork=true`,
		prefix + `container "shell": privileged (privileged): container "shell" must not set securityContext.privileged=true`,
		"evaluated 1 pod templates (0 from podOverrides) at level restricted: 0 compliant, 1 non-compliant; 0 findings excepted, 0 stale exceptions; 0 custom resources without podOverrides not evaluated",
	}
	if code != 1 || strings.Join(lines(out), "\n") != strings.Join(want, "\n") {
		t.Fatalf("exit %d, got:\n%s\nwant:\n%s", code, out, strings.Join(want, "\n"))
	}
	// Baseline still forbids privileged containers and host namespaces, not the rest.
	code, out, _ = runCmd("podsecurity", "--level", "baseline", "testdata/podsecurity/privileged-pod.yaml")
	if code != 1 || strings.Contains(out, "allowPrivilegeEscalation") || !strings.Contains(out, "privileged (privileged)") || !strings.Contains(out, "hostNamespaces") {
		t.Fatalf("baseline: exit %d:\n%s", code, out)
	}
}

func TestPodSecurityEvaluatesWorkloadsAndPodOverrides(t *testing.T) {
	code, out, _ := runCmd("podsecurity", "testdata/podsecurity/workloads.yaml")
	got := lines(out)
	if code != 1 || len(got) != 7 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{
		`Job/demo/load-data: spec.template: container "chown": runAsNonRoot`,
		`Job/demo/load-data: spec.template: container "chown": runAsUser (runAsUser=0)`,
		`HiveCluster/demo/hive: spec.metastore.roleGroups.default.podOverrides: container "hive": allowPrivilegeEscalation`,
		`HiveCluster/demo/hive: spec.metastore.roleGroups.default.podOverrides: container "hive": seccompProfile_restricted`,
		"evaluated 3 pod templates (1 from podOverrides) at level restricted: 1 compliant, 2 non-compliant",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "postgresql") || strings.Contains(out, `container "load"`) {
		t.Errorf("compliant pod or container reported:\n%s", out)
	}
}

func TestPodSecurityExceptions(t *testing.T) {
	code, out, _ := runCmd("podsecurity", "--exceptions", "testdata/podsecurity/exceptions-workloads.yaml", "testdata/podsecurity/workloads.yaml")
	if code != 0 || !strings.HasPrefix(out, "evaluated 3 pod templates (1 from podOverrides) at level restricted: 3 compliant, 0 non-compliant; 6 findings excepted, 0 stale exceptions") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = runCmd("podsecurity", "--exceptions", "testdata/podsecurity/exceptions-stale.yaml", "testdata/podsecurity/workloads.yaml")
	want := []string{
		`testdata/podsecurity/exceptions-stale.yaml: exception not needed by any finding, remove it: Job/load-data container "load" check runAsUser`,
		`testdata/podsecurity/exceptions-stale.yaml: exception not needed by any finding, remove it: StatefulSet/postgresql check privileged`,
	}
	got := lines(out)
	if code != 1 || len(got) != 3 || got[0] != want[0] || got[1] != want[1] || !strings.Contains(got[2], "6 findings excepted, 2 stale exceptions") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestPodSecurityProjectExceptionsFileIsWellFormed(t *testing.T) {
	// The project's exceptions file must at least load (its entries are checked by the suite).
	code, _, errOut := runCmd("podsecurity", "--exceptions", "../../test/manifests/podsecurity-exceptions.yaml", "testdata/valid")
	if code == 2 {
		t.Fatalf("exceptions file rejected: %s", errOut)
	}
}
