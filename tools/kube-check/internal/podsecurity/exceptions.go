package podsecurity

import (
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// Exception allows one forbidden check for one object. Every exception needs a reason, and
// one that no finding needs is an error (see Exceptions.Stale), so the list stays true.
type Exception struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"` // empty: any namespace
	Template  string `json:"template,omitempty"`  // field path of the template, e.g. spec.template; empty: any
	Container string `json:"container,omitempty"` // empty: the pod and every container
	Check     string `json:"check"`
	Reason    string `json:"reason"`

	used int
}

func (e *Exception) String() string {
	s := e.Kind + "/" + e.Name
	if e.Namespace != "" {
		s = e.Kind + "/" + e.Namespace + "/" + e.Name
	}
	if e.Template != "" {
		s += " " + e.Template
	}
	if e.Container != "" {
		s += fmt.Sprintf(" container %q", e.Container)
	}
	return s + " check " + e.Check
}

// Exceptions is the content of an exceptions file.
type Exceptions struct {
	Exceptions []*Exception `json:"exceptions"`
}

// LoadExceptions reads and checks an exceptions file: unknown fields, missing fields,
// unknown check IDs and missing reasons are errors.
func LoadExceptions(path string) (*Exceptions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ex Exceptions
	if err := yaml.UnmarshalStrict(data, &ex); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	ids := CheckIDs()
	var problems []string
	for i, e := range ex.Exceptions {
		if e == nil {
			problems = append(problems, fmt.Sprintf("exception %d is empty", i+1))
			continue
		}
		for _, f := range []struct{ name, value string }{{"kind", e.Kind}, {"name", e.Name}, {"check", e.Check}} {
			if f.value == "" {
				problems = append(problems, fmt.Sprintf("exception %d: %s is required", i+1, f.name))
			}
		}
		if strings.TrimSpace(e.Reason) == "" {
			problems = append(problems, fmt.Sprintf("exception %d (%s): a reason is required", i+1, e))
		}
		if e.Check != "" && !ids[e.Check] {
			problems = append(problems, fmt.Sprintf("exception %d (%s): unknown check ID %q", i+1, e, e.Check))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", path, strings.Join(problems, "; "))
	}
	return &ex, nil
}

// Match returns the first exception that allows finding f of the template at path of the
// object kind/namespace/name, and counts the use.
func (ex *Exceptions) Match(kind, namespace, name, path string, f Finding) *Exception {
	if ex == nil {
		return nil
	}
	for _, e := range ex.Exceptions {
		if e.Kind == kind && e.Name == name && e.Check == f.Check &&
			(e.Namespace == "" || e.Namespace == namespace) &&
			(e.Template == "" || e.Template == path) &&
			(e.Container == "" || e.Container == f.Container) {
			e.used++
			return e
		}
	}
	return nil
}

// Stale returns the exceptions that matched no finding.
func (ex *Exceptions) Stale() []*Exception {
	if ex == nil {
		return nil
	}
	var stale []*Exception
	for _, e := range ex.Exceptions {
		if e.used == 0 {
			stale = append(stale, e)
		}
	}
	return stale
}
