// Tests of the Pod Security evaluation (attribution to pod or container) and of exceptions.
package podsecurity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func restrictedContainer(name string) corev1.Container {
	return corev1.Container{Name: name, Image: "busybox", SecurityContext: &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}}
}

func restrictedPod(containers ...corev1.Container) *corev1.PodSpec {
	return &corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: containers,
	}
}

func evaluate(t *testing.T, level string, spec *corev1.PodSpec) []Finding {
	t.Helper()
	e, err := NewEvaluator(level)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := e.Evaluate(Template{Path: "spec", Meta: &metav1.ObjectMeta{}, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	return findings
}

func summary(findings []Finding) string {
	var parts []string
	for _, f := range findings {
		parts = append(parts, f.Check+"@"+f.Container)
	}
	return strings.Join(parts, " ")
}

func TestRestrictedPodHasNoFinding(t *testing.T) {
	if got := evaluate(t, "restricted", restrictedPod(restrictedContainer("a"), restrictedContainer("b"))); len(got) != 0 {
		t.Fatalf("findings: %v", got)
	}
}

func TestFindingsAreAttributedToPodOrContainer(t *testing.T) {
	bad := corev1.Container{Name: "bad", Image: "busybox", SecurityContext: &corev1.SecurityContext{
		Privileged:   ptr.To(true),
		RunAsNonRoot: ptr.To(false),
		Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}, Drop: []corev1.Capability{"ALL"}},
	}}
	spec := restrictedPod(restrictedContainer("good"), bad)
	spec.InitContainers = []corev1.Container{restrictedContainer("init")}
	spec.InitContainers[0].SecurityContext.AllowPrivilegeEscalation = nil
	spec.HostPID = true
	spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}

	// Sorted by check ID, init containers first. At the restricted level capabilities_restricted
	// replaces capabilities_baseline and restrictedVolumes replaces hostPathVolumes.
	want := "allowPrivilegeEscalation@init allowPrivilegeEscalation@bad capabilities_restricted@bad hostNamespaces@ " +
		"privileged@bad restrictedVolumes@ runAsNonRoot@bad"
	if got := summary(evaluate(t, "restricted", spec)); got != want {
		t.Errorf("restricted:\n got %s\nwant %s", got, want)
	}
	if got := summary(evaluate(t, "baseline", spec)); got != "capabilities_baseline@bad hostNamespaces@ hostPathVolumes@ privileged@bad" {
		t.Errorf("baseline: got %s", got)
	}
}

func TestPodLevelRunAsNonRootFalseIsAPodFinding(t *testing.T) {
	spec := restrictedPod(restrictedContainer("a"))
	spec.SecurityContext.RunAsNonRoot = ptr.To(false)
	got := evaluate(t, "restricted", spec)
	if len(got) != 1 || got[0].Check != "runAsNonRoot" || got[0].Container != "" || !strings.Contains(got[0].Detail, "pod must not set securityContext.runAsNonRoot=false") {
		t.Fatalf("got %+v", got)
	}
}

func TestInvalidLevel(t *testing.T) {
	for _, level := range []string{"privileged", "strict", ""} {
		if _, err := NewEvaluator(level); err == nil {
			t.Errorf("level %q accepted", level)
		}
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "exceptions.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExceptionsFileIsChecked(t *testing.T) {
	for content, want := range map[string]string{
		"exceptions:\n- {kind: Job, name: j, check: runAsUser}\n":                    "a reason is required",
		"exceptions:\n- {kind: Job, name: j, check: runAsRoot, reason: x}\n":         `unknown check ID "runAsRoot"`,
		"exceptions:\n- {kind: Job, check: runAsUser, reason: x}\n":                  "name is required",
		"exceptions:\n- {kind: Job, name: j, check: runAsUser, reason: x, pod: y}\n": `unknown field "pod"`,
		"exception:\n- {kind: Job, name: j, check: runAsUser, reason: x}\n":          `unknown field "exception"`,
	} {
		_, err := LoadExceptions(writeFile(t, content))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", content, err, want)
		}
	}
}

func TestExceptionMatchingAndStaleness(t *testing.T) {
	ex, err := LoadExceptions(writeFile(t, `
exceptions:
  - {kind: Job, name: j, container: init, check: runAsUser, reason: chown}
  - {kind: Job, name: j, namespace: other, check: runAsNonRoot, reason: wrong namespace}
  - {kind: Job, name: j, template: spec.template, check: seccompProfile_restricted, reason: any container}
`))
	if err != nil {
		t.Fatal(err)
	}
	match := func(container, check string) bool {
		return ex.Match("Job", "demo", "j", "spec.template", Finding{Check: check, Container: container}) != nil
	}
	if !match("init", "runAsUser") || match("main", "runAsUser") {
		t.Error("container-specific exception")
	}
	if match("init", "runAsNonRoot") {
		t.Error("an exception for another namespace matched")
	}
	if !match("init", "seccompProfile_restricted") || !match("main", "seccompProfile_restricted") || !match("", "seccompProfile_restricted") {
		t.Error("an exception without container must match every container and the pod")
	}
	if ex.Match("Job", "demo", "j", "spec.other", Finding{Check: "seccompProfile_restricted"}) != nil {
		t.Error("an exception for another template matched")
	}
	stale := ex.Stale()
	if len(stale) != 1 || stale[0].Reason != "wrong namespace" {
		t.Fatalf("stale: %v", stale)
	}
}
