// Package manifest reads Kubernetes manifests: YAML files (multi-document) or folders of them.
//
// Every document is converted to JSON with duplicate keys rejected (as the API server does
// for strict field validation) and decoded into an unstructured map whose numbers are int64
// or float64, the representation the API server's validators expect.
package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Document is one object of a manifest file.
type Document struct {
	File  string // the path as given (or found below a given folder)
	Index int    // 1-based position among the non-empty documents of File

	// JSON is the document converted to JSON; Object is JSON decoded. Both are nil when ParseErr is set.
	JSON   []byte
	Object map[string]interface{}
	// ParseErr is set when the document is not valid YAML, has duplicate keys or is not an object.
	ParseErr error

	APIVersion, Kind, Namespace, Name string
}

// GVK returns the group, version and kind named by the document (zero values when unparsable).
func (d *Document) GVK() schema.GroupVersionKind {
	gv, err := schema.ParseGroupVersion(d.APIVersion)
	if err != nil {
		return schema.GroupVersionKind{Kind: d.Kind}
	}
	return gv.WithKind(d.Kind)
}

// ID names the object as Kind/namespace/name, Kind/name without a namespace, or by its
// position in the file when it has no name.
func (d *Document) ID() string {
	kind := d.Kind
	if kind == "" {
		kind = "<no kind>"
	}
	name := d.Name
	if name == "" {
		name = fmt.Sprintf("<unnamed document %d>", d.Index)
	}
	if d.Namespace != "" {
		return kind + "/" + d.Namespace + "/" + name
	}
	return kind + "/" + name
}

// Load reads every path: a file is read as is, a folder is searched recursively for
// *.yaml and *.yml files (in lexical order). It fails only on I/O errors; documents that
// cannot be parsed are returned with ParseErr set so that callers report them as invalid.
func Load(paths []string) ([]*Document, error) {
	var docs []*Document
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			fileDocs, err := Parse(f, data)
			if err != nil {
				return nil, err
			}
			docs = append(docs, fileDocs...)
		}
	}
	return docs, nil
}

func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Parse splits a multi-document YAML file into documents; empty documents are skipped.
func Parse(file string, data []byte) ([]*Document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []*Document
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		doc := &Document{File: file, Index: len(docs) + 1}
		js, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			doc.ParseErr = fmt.Errorf("%s", strings.Join(strings.Fields(err.Error()), " "))
			// Name the object anyway when the only problem is a duplicate key.
			if lenient, lerr := yaml.YAMLToJSON(raw); lerr == nil {
				var obj map[string]interface{}
				if utiljson.Unmarshal(lenient, &obj) == nil {
					doc.setIdentity(obj)
				}
			}
			docs = append(docs, doc)
			continue
		}
		if trimmed := bytes.TrimSpace(js); len(trimmed) == 0 || string(trimmed) == "null" {
			continue // only comments or "---"
		}
		var obj map[string]interface{}
		if err := utiljson.Unmarshal(js, &obj); err != nil {
			doc.ParseErr = fmt.Errorf("document is not a YAML mapping: %v", err)
			docs = append(docs, doc)
			continue
		}
		doc.JSON, doc.Object = js, obj
		doc.setIdentity(obj)
		docs = append(docs, doc)
	}
}

func (d *Document) setIdentity(obj map[string]interface{}) {
	d.APIVersion, _ = obj["apiVersion"].(string)
	d.Kind, _ = obj["kind"].(string)
	if md, ok := obj["metadata"].(map[string]interface{}); ok {
		d.Namespace, _ = md["namespace"].(string)
		d.Name, _ = md["name"].(string)
	}
}

// Located is a value found inside an object, with its field path.
type Located struct {
	Path  string
	Value interface{}
}

// PodOverrides finds every `podOverrides` field below spec. Stackable operators accept a
// partial PodTemplateSpec there (in role configs, role groups, and the driver, executor and
// job of a SparkApplication) and merge it over the pod template they generate.
func (d *Document) PodOverrides() []Located {
	var found []Located
	var walk func(v interface{}, path string)
	walk = func(v interface{}, path string) {
		switch v := v.(type) {
		case map[string]interface{}:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "podOverrides" {
					found = append(found, Located{Path: path + "." + k, Value: v[k]})
					continue
				}
				walk(v[k], path+"."+k)
			}
		case []interface{}:
			for i, item := range v {
				walk(item, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	if d.Object != nil {
		walk(d.Object["spec"], "spec")
	}
	return found
}
