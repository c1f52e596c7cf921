// Tests of manifest parsing and of the podOverrides search.
package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSplitsDocumentsAndSkipsEmptyOnes(t *testing.T) {
	docs, err := Parse("f.yaml", []byte(`
# comment only
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: demo}
data: {replicas: "3"}
---
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b}
spec: {replicas: 3, ratio: 0.5}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("%d documents", len(docs))
	}
	if docs[0].ID() != "ConfigMap/demo/a" || docs[1].ID() != "Deployment/b" || docs[1].Index != 2 {
		t.Errorf("ids: %s (%d), %s (%d)", docs[0].ID(), docs[0].Index, docs[1].ID(), docs[1].Index)
	}
	if gvk := docs[1].GVK(); gvk.Group != "apps" || gvk.Version != "v1" || gvk.Kind != "Deployment" {
		t.Errorf("gvk %v", gvk)
	}
	// Numbers are int64 or float64, as the API server's unstructured decoding makes them.
	spec := docs[1].Object["spec"].(map[string]interface{})
	if _, ok := spec["replicas"].(int64); !ok {
		t.Errorf("replicas is %T", spec["replicas"])
	}
	if _, ok := spec["ratio"].(float64); !ok {
		t.Errorf("ratio is %T", spec["ratio"])
	}
}

func TestParseReportsBadDocumentsButNamesThem(t *testing.T) {
	docs, err := Parse("f.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: 1, k: 2}\n---\n- a list\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].ParseErr == nil || docs[1].ParseErr == nil {
		t.Fatalf("%+v", docs)
	}
	if docs[0].ID() != "ConfigMap/a" || !strings.Contains(docs[0].ParseErr.Error(), `key "k" already set`) {
		t.Errorf("%s: %v", docs[0].ID(), docs[0].ParseErr)
	}
	if docs[1].ID() != "<no kind>/<unnamed document 2>" {
		t.Errorf("id %s", docs[1].ID())
	}
}

func TestLoadWalksFoldersInOrder(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"b.yaml":        "kind: B\n",
		"a.yml":         "kind: A\n",
		"sub/c.yaml":    "kind: C\n",
		"notes.txt":     "kind: Ignored\n",
		"sub/d.json":    "{}",
		"sub/e.yaml":    "",
		"sub/f.yaml.gz": "x",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range docs {
		kinds = append(kinds, d.Kind)
	}
	if strings.Join(kinds, ",") != "A,B,C" {
		t.Errorf("kinds %v", kinds)
	}
	if _, err := Load([]string{filepath.Join(dir, "missing.yaml")}); err == nil {
		t.Error("a missing path was accepted")
	}
}

func TestPodOverridesAreFoundAnywhereBelowSpec(t *testing.T) {
	docs, err := Parse("f.yaml", []byte(`
apiVersion: spark.stackable.tech/v1alpha1
kind: SparkApplication
metadata: {name: s}
spec:
  driver: {podOverrides: {spec: {hostNetwork: true}}}
  executor: {config: {}, podOverrides: {metadata: {labels: {a: b}}}}
  nodes:
    podOverrides: {}
    roleGroups:
      default: {podOverrides: {spec: {}}}
  list: [{podOverrides: {}}]
status: {podOverrides: {}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range docs[0].PodOverrides() {
		paths = append(paths, l.Path)
	}
	want := "spec.driver.podOverrides spec.executor.podOverrides spec.list[0].podOverrides spec.nodes.podOverrides spec.nodes.roleGroups.default.podOverrides"
	if strings.Join(paths, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(paths, " "), want)
	}
}
