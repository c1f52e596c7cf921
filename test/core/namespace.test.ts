/**
 * Tests of constructs/core/namespace.ts: the chart's Namespace object comes first in the
 * synthesized chart wherever it is created (kubectl applies in file order; the cluster suite found
 * trino-iceberg's TrustStore before its Namespace: `namespaces "trino-iceberg" not found`).
 * Run: npx jest test/core/namespace.test.ts
 */
import { App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChartNamespace } from '../../constructs/core';

function chartWithNamespaceLast(app: App): Chart {
  const chart = new Chart(app, 'demo', { namespace: 'late', disableResourceNameHashes: true });
  new k8s.KubeConfigMap(chart, 'First', { metadata: { name: 'first' }, data: { a: '1' } });
  new k8s.KubeService(chart, 'Second', { metadata: { name: 'second' }, spec: { ports: [{ port: 80 }] } });
  new ChartNamespace(chart, 'Namespace');
  new k8s.KubeConfigMap(chart, 'Third', { metadata: { name: 'third' } });
  return chart;
}

describe('ChartNamespace', () => {
  it('is the first object of the chart even when created last, the others keeping their order', () => {
    const objs = Testing.synth(chartWithNamespaceLast(Testing.app()));
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/late', 'ConfigMap/first', 'Service/second', 'ConfigMap/third']);
  });

  it('is first in the file app.synth() writes', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-order-'));
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    chartWithNamespaceLast(app);
    app.synth();
    const text = fs.readFileSync(path.join(outdir, 'demo.k8s.yaml'), 'utf8');
    expect(text.startsWith('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: late\n')).toBe(true);
    fs.rmSync(outdir, { recursive: true });
  });

  it('refuses a chart without a namespace or in default', () => {
    expect(() => new ChartNamespace(new Chart(Testing.app(), 'none'), 'Namespace')).toThrow(/namespace is not set/);
    expect(() => new ChartNamespace(new Chart(Testing.app(), 'def', { namespace: 'default' }), 'Namespace')).toThrow(/namespace is "default"/);
  });
});
