// Package crds validates custom resources against the CustomResourceDefinitions of a folder,
// with the API server's own code (k8s.io/apiextensions-apiserver): the v1 schema is converted
// to the internal version, turned into a structural schema, and an object goes through the
// steps the API server applies on create with fieldValidation=Strict:
//
//  1. unknown fields in metadata and below the root (structural pruning reports what it drops),
//  2. dropping of non-nullable nulls and structural defaulting,
//  3. metadata validation (name, namespace vs. the CRD's scope, labels, annotations),
//  4. OpenAPI schema validation (types, required, enums, formats, patterns, ranges),
//  5. embedded-resource metadata and x-kubernetes-list-type invariants.
//
// CEL rules (x-kubernetes-validations) are not evaluated: a CRD that declares any is refused
// at load time, so that a gap in checking can never pass silently.
package crds

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"

	"github.com/stackable-anomaly-demo/kube-check/internal/manifest"
)

// Kind is one kind defined by a CRD.
type Kind struct {
	CRDName    string
	GroupKind  schema.GroupKind
	Namespaced bool
	Versions   map[string]*Version
}

// Version is one version of a Kind with its compiled schema.
type Version struct {
	Name       string
	Served     bool
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
}

// Registry holds every kind defined by the loaded CRDs.
type Registry struct {
	kinds map[schema.GroupKind]*Kind
}

// LoadDir loads every CustomResourceDefinition (apiextensions.k8s.io/v1) found in the YAML
// files of dir (multi-document files are fine; other documents are ignored).
func LoadDir(dir string) (*Registry, error) {
	if info, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("CRD folder: %w", err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("CRD folder %s is not a folder", dir)
	}
	docs, err := manifest.Load([]string{dir})
	if err != nil {
		return nil, err
	}
	r := &Registry{kinds: map[schema.GroupKind]*Kind{}}
	for _, d := range docs {
		if d.ParseErr != nil {
			return nil, fmt.Errorf("%s: document %d: %v", d.File, d.Index, d.ParseErr)
		}
		if d.Kind != "CustomResourceDefinition" {
			continue
		}
		if d.APIVersion != "apiextensions.k8s.io/v1" {
			return nil, fmt.Errorf("%s: %s: only apiextensions.k8s.io/v1 CRDs are supported", d.File, d.Name)
		}
		if err := r.add(d.JSON); err != nil {
			return nil, fmt.Errorf("%s: %s: %v", d.File, d.Name, err)
		}
	}
	if len(r.kinds) == 0 {
		return nil, fmt.Errorf("no CustomResourceDefinition found in %s", dir)
	}
	return r, nil
}

func (r *Registry) add(data []byte) error {
	var crd apiextensionsv1.CustomResourceDefinition
	strictErrs, err := kjson.UnmarshalStrict(data, &crd)
	if err != nil {
		return err
	}
	if len(strictErrs) > 0 {
		return fmt.Errorf("not a valid CRD: %v", strictErrs[0])
	}
	if crd.Spec.PreserveUnknownFields {
		return fmt.Errorf("spec.preserveUnknownFields=true is not supported")
	}
	gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
	if prev, ok := r.kinds[gk]; ok {
		return fmt.Errorf("kind %s is already defined by CRD %s", gk, prev.CRDName)
	}
	k := &Kind{
		CRDName:    crd.Name,
		GroupKind:  gk,
		Namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		Versions:   map[string]*Version{},
	}
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			return fmt.Errorf("version %s has no openAPIV3Schema", v.Name)
		}
		compiled, err := compile(v.Schema)
		if err != nil {
			return fmt.Errorf("version %s: %v", v.Name, err)
		}
		compiled.Name, compiled.Served = v.Name, v.Served
		k.Versions[v.Name] = compiled
	}
	r.kinds[gk] = k
	return nil
}

// compile mirrors what the API server does when it starts serving a CRD version.
func compile(v1Validation *apiextensionsv1.CustomResourceValidation) (*Version, error) {
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v1Validation, internal, nil); err != nil {
		return nil, fmt.Errorf("converting the schema to the internal version: %v", err)
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("building the structural schema: %v", err)
	}
	if errs := structuralschema.ValidateStructural(nil, s); len(errs) > 0 {
		return nil, fmt.Errorf("schema is not structural: %v", errs.ToAggregate())
	}
	if p := findCELRules(s, field.NewPath("openAPIV3Schema")); p != "" {
		return nil, fmt.Errorf("%s declares x-kubernetes-validations (CEL rules), which kube-check does not evaluate", p)
	}
	s = s.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(s); err != nil {
		return nil, fmt.Errorf("pruning defaults: %v", err)
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("building the schema validator: %v", err)
	}
	return &Version{structural: s, validator: validator}, nil
}

// findCELRules returns the path of the first schema node with CEL rules, or "".
func findCELRules(s *structuralschema.Structural, p *field.Path) string {
	if s == nil {
		return ""
	}
	if len(s.XValidations) > 0 {
		return p.String()
	}
	if found := findCELRules(s.Items, p.Child("items")); found != "" {
		return found
	}
	if s.AdditionalProperties != nil {
		if found := findCELRules(s.AdditionalProperties.Structural, p.Child("additionalProperties")); found != "" {
			return found
		}
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		prop := s.Properties[n]
		if found := findCELRules(&prop, p.Child("properties").Key(n)); found != "" {
			return found
		}
	}
	return ""
}

// Lookup returns the kind defined for the group and kind, if any.
func (r *Registry) Lookup(gk schema.GroupKind) (*Kind, bool) {
	k, ok := r.kinds[gk]
	return k, ok
}

// Kinds lists the defined kinds, sorted.
func (r *Registry) Kinds() []schema.GroupKind {
	out := make([]schema.GroupKind, 0, len(r.kinds))
	for gk := range r.kinds {
		out = append(out, gk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Options tune checks that go beyond what the API server requires.
type Options struct {
	// RequireNamespace makes a missing metadata.namespace on a namespaced kind an error
	// (the API server would take it from the request, i.e. from `kubectl -n`).
	RequireNamespace bool
}

// Validate checks one object of this kind; the object is not modified. It returns every
// problem found, each naming its field path.
func (k *Kind) Validate(obj map[string]interface{}, opts Options) []string {
	apiVersion, _ := obj["apiVersion"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return []string{fmt.Sprintf("apiVersion: %v", err)}
	}
	v, ok := k.Versions[gv.Version]
	if !ok {
		return []string{fmt.Sprintf("apiVersion: version %q of %s is not defined by CRD %s (defined: %s)",
			gv.Version, k.GroupKind.Kind, k.CRDName, strings.Join(k.versionNames(), ", "))}
	}
	if !v.Served {
		return []string{fmt.Sprintf("apiVersion: version %q of %s is not served by CRD %s", gv.Version, k.GroupKind.Kind, k.CRDName)}
	}

	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(obj)}
	var problems []string

	// 1. Unknown fields, exactly as the API server finds them for fieldValidation=Strict.
	if _, _, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true}); err != nil {
		problems = append(problems, fmt.Sprintf("metadata: %v", err))
	} else {
		problems = append(problems, unknownFields(unknown)...)
	}
	problems = append(problems, unknownFields(structuralpruning.PruneWithOptions(u.Object, v.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}))...)
	if err, unknown := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.structural, false,
		schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true}); err != nil {
		problems = append(problems, err.Error())
	} else {
		problems = append(problems, unknownFields(unknown)...)
	}

	// 2. Null handling and defaulting (the API server validates the defaulted object).
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
	structuraldefaulting.Default(u.Object, v.structural)

	// 3.-5. Validation.
	var errs field.ErrorList
	if u.GetName() == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "kubectl apply needs a name"))
	}
	for _, e := range apimachineryvalidation.ValidateObjectMetaAccessor(u, k.Namespaced, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata")) {
		if e.Field == "metadata.name" && e.Type == field.ErrorTypeRequired {
			continue // reported above
		}
		if e.Field == "metadata.namespace" && e.Type == field.ErrorTypeRequired {
			if !opts.RequireNamespace {
				continue
			}
			e.Detail = fmt.Sprintf("%s is namespaced", k.GroupKind.Kind)
		}
		if e.Field == "metadata.namespace" && e.Type == field.ErrorTypeForbidden {
			e.Detail = fmt.Sprintf("%s is cluster-scoped and must not have a namespace", k.GroupKind.Kind)
		}
		errs = append(errs, e)
	}
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.Object, v.validator)...)
	errs = append(errs, schemaobjectmeta.Validate(nil, u.Object, v.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u.Object)...)
	for _, e := range errs {
		problems = append(problems, e.Error())
	}
	return problems
}

func (k *Kind) versionNames() []string {
	names := make([]string, 0, len(k.Versions))
	for n := range k.Versions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func unknownFields(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, fmt.Sprintf("unknown field %q", p))
	}
	return out
}
