// Package validate decides how each manifest document is checked: kinds defined by a CRD go
// to the apiextensions-apiserver validation (package crds), built-in kinds to the strict
// client-go decoding and typed validation (package builtin), anything else is an unknown kind.
//
// One check goes beyond the API server: every Stackable `podOverrides` must be a valid
// PodTemplateSpec. The CRDs declare podOverrides with x-kubernetes-preserve-unknown-fields,
// so the API server accepts anything there, and the operators drop fields they do not know
// while merging, so a misspelt field would otherwise be a silent no-op.
package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stackable-anomaly-demo/kube-check/internal/builtin"
	"github.com/stackable-anomaly-demo/kube-check/internal/crds"
	"github.com/stackable-anomaly-demo/kube-check/internal/manifest"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Options tune the checks.
type Options struct {
	// RequireNamespace makes a missing metadata.namespace on a namespaced kind an error.
	RequireNamespace bool
}

// Validator validates documents.
type Validator struct {
	crds    *crds.Registry
	builtin *builtin.Validator
	opts    Options
}

// New returns a Validator for the kinds of registry plus the built-in kinds.
func New(registry *crds.Registry, opts Options) *Validator {
	return &Validator{crds: registry, builtin: builtin.New(), opts: opts}
}

// Document returns every problem of d (none when it is valid).
func (v *Validator) Document(d *manifest.Document) []string {
	if d.ParseErr != nil {
		return []string{d.ParseErr.Error()}
	}
	if d.APIVersion == "" || d.Kind == "" {
		return []string{"apiVersion and kind are required"}
	}
	gv, err := schema.ParseGroupVersion(d.APIVersion)
	if err != nil {
		return []string{fmt.Sprintf("apiVersion: %v", err)}
	}
	gvk := gv.WithKind(d.Kind)
	if kind, ok := v.crds.Lookup(gvk.GroupKind()); ok {
		problems := kind.Validate(d.Object, crds.Options{RequireNamespace: v.opts.RequireNamespace})
		for _, po := range d.PodOverrides() {
			problems = append(problems, v.builtin.ValidatePodTemplateSpec(po.Value, po.Path)...)
		}
		return problems
	}
	if v.builtin.Recognizes(gvk) {
		return v.builtin.Validate(d.JSON, gvk, builtin.Options{RequireNamespace: v.opts.RequireNamespace})
	}
	return []string{v.unknownKind(gvk)}
}

func (v *Validator) unknownKind(gvk schema.GroupVersionKind) string {
	var sameGroup []string
	for _, gk := range v.crds.Kinds() {
		if gk.Group == gvk.Group {
			sameGroup = append(sameGroup, gk.Kind)
		}
	}
	switch {
	case len(sameGroup) > 0:
		sort.Strings(sameGroup)
		return fmt.Sprintf("unknown kind %q: the CRDs of group %s define %s", gvk.Kind, gvk.Group, strings.Join(sameGroup, ", "))
	case v.builtin.RecognizesGroup(gvk.Group):
		return fmt.Sprintf("unknown kind: %s is not a built-in kind of %s in Kubernetes 1.35", gvk.Kind, gvk.GroupVersion())
	default:
		return fmt.Sprintf("unknown kind: no CRD in the CRD folder and no built-in kind for apiVersion %s, kind %s", gvk.GroupVersion(), gvk.Kind)
	}
}
