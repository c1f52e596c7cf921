// Tests of built-in kind validation details not covered by the end-to-end fixtures.
package builtin

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestPodTemplateSpecProblemsNameTheirLocation(t *testing.T) {
	v := New()
	value := map[string]interface{}{"spec": map[string]interface{}{"containers": []interface{}{
		map[string]interface{}{"name": "a", "ports": []interface{}{map[string]interface{}{"containerPort": int64(80), "nmae": "http"}}},
		map[string]interface{}{"name": "a"},
	}}}
	got := strings.Join(v.ValidatePodTemplateSpec(value, "spec.nodes.podOverrides"), "\n")
	want := "unknown field \"spec.nodes.podOverrides.spec.containers[0].ports[0].nmae\"\n" +
		"spec.nodes.podOverrides.spec.containers: duplicate entries for key [name=\"a\"]"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if problems := v.ValidatePodTemplateSpec(map[string]interface{}{"spec": map[string]interface{}{"hostNetwork": true}}, "p"); len(problems) != 0 {
		t.Errorf("a partial pod template was rejected: %v", problems)
	}
	if got := v.ValidatePodTemplateSpec([]interface{}{"x"}, "p"); len(got) != 1 || !strings.HasPrefix(got[0], "p: not a PodTemplateSpec") {
		t.Errorf("got %v", got)
	}
}

func TestRecognizesBuiltInKindsOnly(t *testing.T) {
	v := New()
	for gvk, want := range map[schema.GroupVersionKind]bool{
		{Group: "apps", Version: "v1", Kind: "StatefulSet"}:                      true,
		{Group: "", Version: "v1", Kind: "ConfigMap"}:                            true,
		{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:       true,
		{Group: "apps", Version: "v1", Kind: "Statefulset"}:                      false,
		{Group: "hive.stackable.tech", Version: "v1alpha1", Kind: "HiveCluster"}: false,
	} {
		if got := v.Recognizes(gvk); got != want {
			t.Errorf("%v: %v", gvk, got)
		}
	}
	if !v.RecognizesGroup("batch") || v.RecognizesGroup("example.com") {
		t.Error("RecognizesGroup")
	}
}

func TestPrereleaseVersionsAreRejectedWithTheirReplacement(t *testing.T) {
	v := New()
	data := []byte(`{"apiVersion":"batch/v1beta1","kind":"CronJob","metadata":{"name":"c","namespace":"n"}}`)
	got := v.Validate(data, schema.GroupVersionKind{Group: "batch", Version: "v1beta1", Kind: "CronJob"}, Options{})
	if len(got) != 1 || !strings.Contains(got[0], "(use batch/v1)") {
		t.Errorf("got %v", got)
	}
}
