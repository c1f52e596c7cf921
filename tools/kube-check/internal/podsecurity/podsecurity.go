// Package podsecurity evaluates pod templates against a Pod Security Standards level with the
// Pod Security admission code itself (k8s.io/pod-security-admission/policy), and attributes
// every forbidden check to the pod or to the container responsible, so that exceptions can be
// granted per container.
//
// Pod templates come from built-in workloads (Pod, PodTemplate, Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) and from the `podOverrides` of
// Stackable custom resources. A podOverrides is only the part of the pod that the operator
// merges over its own template, so it is evaluated as a pod made of exactly what it states:
// every container it names must carry the restricted settings itself (the operators do not
// set allowPrivilegeEscalation, capabilities, seccompProfile or runAsNonRoot), and pod-level
// fields it sets are checked too. Containers the operator adds without overriding them
// cannot be seen offline; that is a limit of any check that does not run the operator.
package podsecurity

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// Template is one pod template found in an object.
type Template struct {
	Path          string // field path of the template in the object, e.g. spec.template
	FromOverrides bool   // a Stackable podOverrides rather than a complete pod template
	Meta          *metav1.ObjectMeta
	Spec          *corev1.PodSpec
}

// Finding is one forbidden check of a template.
type Finding struct {
	Check     string // the check ID, e.g. runAsNonRoot
	Container string // empty when the pod as a whole is forbidden (e.g. hostNetwork)
	Reason    string
	Detail    string
}

func (f Finding) String() string {
	where := "pod"
	if f.Container != "" {
		where = fmt.Sprintf("container %q", f.Container)
	}
	s := fmt.Sprintf("%s: %s (%s)", where, f.Check, f.Reason)
	if f.Detail != "" {
		s += ": " + f.Detail
	}
	return s
}

var workloads = map[schema.GroupKind]bool{
	{Group: "", Kind: "Pod"}:                   true,
	{Group: "", Kind: "PodTemplate"}:           true,
	{Group: "", Kind: "ReplicationController"}: true,
	{Group: "apps", Kind: "Deployment"}:        true,
	{Group: "apps", Kind: "StatefulSet"}:       true,
	{Group: "apps", Kind: "DaemonSet"}:         true,
	{Group: "apps", Kind: "ReplicaSet"}:        true,
	{Group: "batch", Kind: "Job"}:              true,
	{Group: "batch", Kind: "CronJob"}:          true,
}

// HasPodTemplate reports whether a built-in kind carries a pod template.
func HasPodTemplate(gk schema.GroupKind) bool { return workloads[gk] }

// TemplatesOf returns the pod templates of a decoded built-in object (none for other kinds).
func TemplatesOf(obj runtime.Object) []Template {
	t := func(path string, tpl *corev1.PodTemplateSpec) []Template {
		return []Template{{Path: path, Meta: &tpl.ObjectMeta, Spec: &tpl.Spec}}
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		return []Template{{Path: "spec", Meta: &o.ObjectMeta, Spec: &o.Spec}}
	case *corev1.PodTemplate:
		return t("template", &o.Template)
	case *corev1.ReplicationController:
		if o.Spec.Template == nil {
			return nil
		}
		return t("spec.template", o.Spec.Template)
	case *appsv1.Deployment:
		return t("spec.template", &o.Spec.Template)
	case *appsv1.StatefulSet:
		return t("spec.template", &o.Spec.Template)
	case *appsv1.DaemonSet:
		return t("spec.template", &o.Spec.Template)
	case *appsv1.ReplicaSet:
		return t("spec.template", &o.Spec.Template)
	case *batchv1.Job:
		return t("spec.template", &o.Spec.Template)
	case *batchv1.CronJob:
		return t("spec.jobTemplate.spec.template", &o.Spec.JobTemplate.Spec.Template)
	}
	return nil
}

type check struct {
	id        string
	evaluator policy.Evaluator
}

// Evaluator evaluates templates at one level of the latest policy version.
type Evaluator struct {
	level  api.LevelVersion
	all    policy.Evaluator
	checks []check
}

// NewEvaluator builds an evaluator for level "baseline" or "restricted".
func NewEvaluator(level string) (*Evaluator, error) {
	lvl, err := api.ParseLevel(level)
	if err != nil || lvl == api.LevelPrivileged {
		return nil, fmt.Errorf("level must be baseline or restricted, not %q", level)
	}
	all, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, err
	}
	e := &Evaluator{level: api.LevelVersion{Level: lvl, Version: api.LatestVersion()}, all: all}
	// One evaluator per check gives each result its ID. A restricted check may override a
	// baseline one (e.g. capabilities_restricted replaces capabilities_baseline): those
	// baseline checks are left out, as the full evaluator does.
	overridden := map[policy.CheckID]bool{}
	if lvl == api.LevelRestricted {
		for _, c := range policy.DefaultChecks() {
			if c.Level == api.LevelRestricted {
				for _, id := range c.Versions[len(c.Versions)-1].OverrideCheckIDs {
					overridden[id] = true
				}
			}
		}
	}
	for _, c := range policy.DefaultChecks() {
		if overridden[c.ID] || (lvl == api.LevelBaseline && c.Level != api.LevelBaseline) {
			continue
		}
		single, err := policy.NewEvaluator([]policy.Check{c}, nil)
		if err != nil {
			return nil, fmt.Errorf("check %s: %v", c.ID, err)
		}
		e.checks = append(e.checks, check{id: string(c.ID), evaluator: single})
	}
	sort.Slice(e.checks, func(i, j int) bool { return e.checks[i].id < e.checks[j].id })
	return e, nil
}

// CheckIDs lists the IDs of every check of policy.DefaultChecks (for validating exceptions).
func CheckIDs() map[string]bool {
	ids := map[string]bool{}
	for _, c := range policy.DefaultChecks() {
		ids[string(c.ID)] = true
	}
	return ids
}

func (e *Evaluator) eval(c check, meta *metav1.ObjectMeta, spec *corev1.PodSpec) policy.CheckResult {
	for _, r := range c.evaluator.EvaluatePod(e.level, meta, spec) {
		if !r.Allowed {
			return r
		}
	}
	return policy.CheckResult{Allowed: true}
}

// Evaluate returns the forbidden checks of a template. A check is attributed to the pod when
// the pod without any container already fails it, otherwise to each container that fails it
// when evaluated alone with the pod-level settings.
func (e *Evaluator) Evaluate(t Template) ([]Finding, error) {
	var findings []Finding
	seen := map[Finding]bool{}
	add := func(f Finding) {
		if !seen[f] { // two containers with the same name would report twice
			seen[f] = true
			findings = append(findings, f)
		}
	}
	for _, c := range e.checks {
		full := e.eval(c, t.Meta, t.Spec)
		if full.Allowed {
			continue
		}
		podOnly := t.Spec.DeepCopy()
		podOnly.Containers, podOnly.InitContainers, podOnly.EphemeralContainers = nil, nil, nil
		if r := e.eval(c, t.Meta, podOnly); !r.Allowed {
			add(Finding{Check: c.id, Reason: full.ForbiddenReason, Detail: full.ForbiddenDetail})
			continue
		}
		attributed := false
		for _, alone := range eachContainerAlone(podOnly, t.Spec) {
			if r := e.eval(c, t.Meta, alone.spec); !r.Allowed {
				add(Finding{Check: c.id, Container: alone.name, Reason: r.ForbiddenReason, Detail: r.ForbiddenDetail})
				attributed = true
			}
		}
		if !attributed {
			add(Finding{Check: c.id, Reason: full.ForbiddenReason, Detail: full.ForbiddenDetail})
		}
	}
	// Cross-check with the evaluator exactly as the admission plugin runs it.
	forbidden := 0
	for _, r := range e.all.EvaluatePod(e.level, t.Meta, t.Spec) {
		if !r.Allowed {
			forbidden++
		}
	}
	checks := map[string]bool{}
	for _, f := range findings {
		checks[f.Check] = true
	}
	if forbidden != len(checks) {
		return nil, fmt.Errorf("internal error: %d checks forbidden by the full evaluator, %d by the per-check evaluators", forbidden, len(checks))
	}
	return findings, nil
}

type containerSpec struct {
	name string
	spec *corev1.PodSpec
}

func eachContainerAlone(podOnly, full *corev1.PodSpec) []containerSpec {
	var out []containerSpec
	for _, c := range full.InitContainers {
		s := podOnly.DeepCopy()
		s.InitContainers = []corev1.Container{c}
		out = append(out, containerSpec{c.Name, s})
	}
	for _, c := range full.Containers {
		s := podOnly.DeepCopy()
		s.Containers = []corev1.Container{c}
		out = append(out, containerSpec{c.Name, s})
	}
	for _, c := range full.EphemeralContainers {
		s := podOnly.DeepCopy()
		s.EphemeralContainers = []corev1.EphemeralContainer{c}
		out = append(out, containerSpec{c.Name, s})
	}
	return out
}
