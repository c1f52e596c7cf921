// Package builtin validates objects of the built-in Kubernetes kinds (those of k8s.io/api, as
// registered in client-go's scheme) with maintained Kubernetes code instead of hand-written
// schemas:
//
//   - strict decoding with client-go's codec factory (serializer.EnableStrict): unknown and
//     duplicate fields are errors, as with `kubectl apply --validate=strict`;
//   - structured-merge-diff typed validation with client-go's apply type converter (what
//     server-side apply runs): types and the keys of associative lists (e.g. two containers
//     or two env vars with the same name);
//   - object metadata validation from k8s.io/apimachinery (name, namespace vs. scope, labels,
//     annotations).
//
// Limits, by design: the internal validation of k8s.io/kubernetes (ValidateDeployment and
// friends, e.g. "selector does not match template labels") is not run, so semantic rules
// beyond types, unknown fields and list keys are not checked.
package builtin

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/applyconfigurations"
	"k8s.io/client-go/kubernetes/scheme"
)

// clusterScoped lists the built-in kinds that have no namespace.
var clusterScoped = map[schema.GroupKind]bool{
	{Group: "", Kind: "Namespace"}:                                                    true,
	{Group: "", Kind: "Node"}:                                                         true,
	{Group: "", Kind: "PersistentVolume"}:                                             true,
	{Group: "", Kind: "ComponentStatus"}:                                              true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
}

// nameRules are the kinds whose names follow a stricter rule than a DNS subdomain.
var nameRules = map[schema.GroupKind]apimachineryvalidation.ValidateNameFunc{
	{Group: "", Kind: "Service"}:   apimachineryvalidation.NameIsDNS1035Label,
	{Group: "", Kind: "Namespace"}: apimachineryvalidation.NameIsDNSLabel,
}

var prereleaseVersion = regexp.MustCompile(`^v\d+(alpha|beta)\d+$`)

// Validator validates built-in objects. It is safe for sequential use only.
type Validator struct {
	strict  runtime.Decoder
	lenient runtime.Decoder
	types   managedfields.TypeConverter
}

// New builds a Validator over client-go's scheme.
func New() *Validator {
	return &Validator{
		strict:  serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer(),
		lenient: serializer.NewCodecFactory(scheme.Scheme).UniversalDeserializer(),
		types:   applyconfigurations.NewTypeConverter(scheme.Scheme),
	}
}

// Recognizes reports whether gvk is a built-in kind known to client-go's scheme.
func (v *Validator) Recognizes(gvk schema.GroupVersionKind) bool {
	return scheme.Scheme.Recognizes(gvk)
}

// RecognizesGroup reports whether any version of the group is built in.
func (v *Validator) RecognizesGroup(group string) bool {
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if gvk.Group == group {
			return true
		}
	}
	return false
}

// Options tune checks that go beyond what the API server requires.
type Options struct {
	// RequireNamespace makes a missing metadata.namespace on a namespaced kind an error.
	RequireNamespace bool
}

// Validate checks one object given as JSON; gvk must be recognized.
func (v *Validator) Validate(data []byte, gvk schema.GroupVersionKind, opts Options) []string {
	if prereleaseVersion.MatchString(gvk.Version) {
		msg := fmt.Sprintf("apiVersion: %s is a pre-release API version that Kubernetes 1.35 does not serve by default", gvk.GroupVersion())
		if obj, err := scheme.Scheme.New(gvk); err == nil {
			if r, ok := obj.(interface {
				APILifecycleReplacement() schema.GroupVersionKind
			}); ok {
				if repl := r.APILifecycleReplacement(); !repl.Empty() {
					msg += fmt.Sprintf(" (use %s)", repl.GroupVersion())
				}
			}
		}
		return []string{msg}
	}
	obj, problems, err := v.decodeStrict(data)
	if err != nil {
		return append(problems, err.Error())
	}
	problems = append(problems, v.typed(obj)...)
	accessor, ok := obj.(metav1.Object)
	if !ok {
		return append(problems, fmt.Sprintf("%s has no object metadata", gvk.Kind))
	}
	gk := gvk.GroupKind()
	namespaced := !clusterScoped[gk]
	nameFn := nameRules[gk]
	if nameFn == nil {
		nameFn = apimachineryvalidation.NameIsDNSSubdomain
	}
	if accessor.GetName() == "" {
		problems = append(problems, field.Required(field.NewPath("metadata", "name"), "kubectl apply needs a name").Error())
	}
	for _, e := range apimachineryvalidation.ValidateObjectMetaAccessor(accessor, namespaced, nameFn, field.NewPath("metadata")) {
		switch {
		case e.Field == "metadata.name" && e.Type == field.ErrorTypeRequired:
			continue // reported above
		case e.Field == "metadata.namespace" && e.Type == field.ErrorTypeRequired:
			if !opts.RequireNamespace {
				continue
			}
			e.Detail = fmt.Sprintf("%s is namespaced", gvk.Kind)
		case e.Field == "metadata.namespace" && e.Type == field.ErrorTypeForbidden:
			e.Detail = fmt.Sprintf("%s is cluster-scoped and must not have a namespace", gvk.Kind)
		}
		problems = append(problems, e.Error())
	}
	return problems
}

// decodeStrict decodes data; unknown and duplicate fields are returned as problems, other
// decoding failures (e.g. a string where a number belongs) as err.
func (v *Validator) decodeStrict(data []byte) (runtime.Object, []string, error) {
	obj, _, err := v.strict.Decode(data, nil, nil)
	if err == nil {
		return obj, nil, nil
	}
	if strictErr, ok := runtime.AsStrictDecodingError(err); ok && obj != nil {
		var problems []string
		for _, e := range strictErr.Errors() {
			problems = append(problems, e.Error())
		}
		return obj, problems, nil
	}
	return nil, nil, err
}

// typed runs structured-merge-diff's validation of obj against the built-in OpenAPI models.
func (v *Validator) typed(obj runtime.Object) []string {
	if _, err := v.types.ObjectToTyped(obj); err != nil {
		var problems []string
		for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
			if line = strings.TrimPrefix(strings.TrimSpace(line), "."); line != "" && line != "errors:" {
				problems = append(problems, line)
			}
		}
		return problems
	}
	return nil
}

// Decode decodes a built-in object without strictness (for callers that only read it).
func (v *Validator) Decode(data []byte) (runtime.Object, error) {
	obj, _, err := v.lenient.Decode(data, nil, nil)
	return obj, err
}

// ValidatePodTemplateSpec checks that value (e.g. a Stackable podOverrides) is a valid
// PodTemplateSpec: no unknown or duplicate fields, right types, unique list keys. path is
// the value's location, used to prefix the reported field paths.
func (v *Validator) ValidatePodTemplateSpec(value interface{}, path string) []string {
	wrapped := map[string]interface{}{"apiVersion": "v1", "kind": "PodTemplate", "template": value}
	data, err := json.Marshal(wrapped)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", path, err)}
	}
	obj, problems, err := v.decodeStrict(data)
	if err != nil {
		return []string{fmt.Sprintf("%s: not a PodTemplateSpec: %v", path, err)}
	}
	problems = append(problems, v.typed(obj)...)
	for i, p := range problems {
		if strings.HasPrefix(p, "template.") {
			problems[i] = path + strings.TrimPrefix(p, "template")
		} else {
			problems[i] = strings.Replace(p, `"template.`, `"`+path+`.`, 1)
		}
	}
	return problems
}

// PodTemplateSpec decodes value (e.g. a Stackable podOverrides) into a PodTemplateSpec,
// ignoring unknown fields.
func (v *Validator) PodTemplateSpec(value interface{}) (*corev1.PodTemplateSpec, error) {
	data, err := json.Marshal(map[string]interface{}{"apiVersion": "v1", "kind": "PodTemplate", "template": value})
	if err != nil {
		return nil, err
	}
	obj, err := v.Decode(data)
	if err != nil {
		return nil, err
	}
	return &obj.(*corev1.PodTemplate).Template, nil
}
