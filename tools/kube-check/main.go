// Command kube-check checks Kubernetes manifests offline with the API server's own code.
//
//	kube-check validate --crds DIR [--require-namespace=false] PATH...
//	    Validates every object of the YAML files (or folders of *.yaml/*.yml, searched
//	    recursively) as the API server would on create with strict field validation: kinds
//	    defined by a CRD in DIR against its schema (k8s.io/apiextensions-apiserver), built-in
//	    kinds with client-go's strict decoder and server-side apply's typed validation.
//	    Namespaced objects must carry metadata.namespace unless --require-namespace=false.
//
//	kube-check podsecurity [--level restricted] [--exceptions FILE] [-v] PATH...
//	    Evaluates every pod template (and every Stackable podOverrides) with the Pod Security
//	    admission checks of the latest policy version. FILE lists allowed findings, each with
//	    a reason; an exception that no finding needs is an error.
//
// Both print one line per problem object (or finding), then a summary line, and exit 1 when
// anything is wrong, 2 on a usage or setup error. Build and test: `go build . && go test ./...`.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stackable-anomaly-demo/kube-check/internal/builtin"
	"github.com/stackable-anomaly-demo/kube-check/internal/crds"
	"github.com/stackable-anomaly-demo/kube-check/internal/manifest"
	"github.com/stackable-anomaly-demo/kube-check/internal/podsecurity"
	"github.com/stackable-anomaly-demo/kube-check/internal/validate"
)

const usage = `usage:
  kube-check validate --crds DIR [--require-namespace=false] PATH...
  kube-check podsecurity [--level restricted] [--exceptions FILE] [-v] PATH...
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "podsecurity":
		return runPodSecurity(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "kube-check: unknown command %q\n%s", args[0], usage)
	return 2
}

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	crdDir := fs.String("crds", "", "folder of CustomResourceDefinition YAML files (required)")
	requireNS := fs.Bool("require-namespace", true, "namespaced objects must set metadata.namespace")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *crdDir == "" || fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	registry, err := crds.LoadDir(*crdDir)
	if err != nil {
		fmt.Fprintf(stderr, "kube-check: %v\n", err)
		return 2
	}
	docs, err := manifest.Load(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "kube-check: %v\n", err)
		return 2
	}
	v := validate.New(registry, validate.Options{RequireNamespace: *requireNS})
	invalid := 0
	for _, d := range docs {
		if problems := v.Document(d); len(problems) > 0 {
			invalid++
			fmt.Fprintf(stdout, "%s: %s: %s\n", d.File, d.ID(), strings.Join(problems, "; "))
		}
	}
	fmt.Fprintf(stdout, "validated %d objects: %d valid, %d invalid\n", len(docs), len(docs)-invalid, invalid)
	if len(docs) == 0 {
		fmt.Fprintln(stderr, "kube-check: no objects found")
		return 1
	}
	if invalid > 0 {
		return 1
	}
	return 0
}

func runPodSecurity(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("podsecurity", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.String("level", "restricted", "Pod Security Standards level: baseline or restricted")
	exceptionsFile := fs.String("exceptions", "", "YAML file of allowed findings")
	verbose := fs.Bool("v", false, "also print the findings allowed by an exception")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	evaluator, err := podsecurity.NewEvaluator(*level)
	if err != nil {
		fmt.Fprintf(stderr, "kube-check: %v\n", err)
		return 2
	}
	var exceptions *podsecurity.Exceptions
	if *exceptionsFile != "" {
		if exceptions, err = podsecurity.LoadExceptions(*exceptionsFile); err != nil {
			fmt.Fprintf(stderr, "kube-check: %v\n", err)
			return 2
		}
	}
	docs, err := manifest.Load(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "kube-check: %v\n", err)
		return 2
	}

	builtins := builtin.New()
	var templates, fromOverrides, nonCompliant, excepted, notEvaluable, broken int
	for _, d := range docs {
		if d.ParseErr != nil {
			broken++
			fmt.Fprintf(stdout, "%s: %s: cannot evaluate: %v\n", d.File, d.ID(), d.ParseErr)
			continue
		}
		var tpls []podsecurity.Template
		if builtins.Recognizes(d.GVK()) {
			if !podsecurity.HasPodTemplate(d.GVK().GroupKind()) {
				continue
			}
			obj, err := builtins.Decode(d.JSON)
			if err != nil {
				broken++
				fmt.Fprintf(stdout, "%s: %s: cannot evaluate: %v\n", d.File, d.ID(), err)
				continue
			}
			tpls = podsecurity.TemplatesOf(obj)
		} else {
			overrides := d.PodOverrides()
			if len(overrides) == 0 {
				notEvaluable++
			}
			for _, po := range overrides {
				pts, err := builtins.PodTemplateSpec(po.Value)
				if err != nil {
					broken++
					fmt.Fprintf(stdout, "%s: %s: %s: cannot evaluate: %v\n", d.File, d.ID(), po.Path, err)
					continue
				}
				tpls = append(tpls, podsecurity.Template{Path: po.Path, FromOverrides: true, Meta: &pts.ObjectMeta, Spec: &pts.Spec})
			}
		}
		for _, t := range tpls {
			templates++
			if t.FromOverrides {
				fromOverrides++
			}
			findings, err := evaluator.Evaluate(t)
			if err != nil {
				fmt.Fprintf(stderr, "kube-check: %s: %s: %v\n", d.File, d.ID(), err)
				return 2
			}
			open := 0
			for _, f := range findings {
				if e := exceptions.Match(d.Kind, d.Namespace, d.Name, t.Path, f); e != nil {
					excepted++
					if *verbose {
						fmt.Fprintf(stdout, "%s: %s: %s: %s [excepted: %s]\n", d.File, d.ID(), t.Path, f, e.Reason)
					}
					continue
				}
				open++
				fmt.Fprintf(stdout, "%s: %s: %s: %s\n", d.File, d.ID(), t.Path, f)
			}
			if open > 0 {
				nonCompliant++
			}
		}
	}
	stale := exceptions.Stale()
	for _, e := range stale {
		fmt.Fprintf(stdout, "%s: exception not needed by any finding, remove it: %s\n", *exceptionsFile, e)
	}
	fmt.Fprintf(stdout, "evaluated %d pod templates (%d from podOverrides) at level %s: %d compliant, %d non-compliant; %d findings excepted, %d stale exceptions; %d custom resources without podOverrides not evaluated\n",
		templates, fromOverrides, *level, templates-nonCompliant, nonCompliant, excepted, len(stale), notEvaluable)
	if nonCompliant > 0 || len(stale) > 0 || broken > 0 {
		return 1
	}
	return 0
}
