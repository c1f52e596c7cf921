/**
 * Writes NiFi charts as YAML for the manifests suite (scripts/test-manifests.sh), which validates
 * them against the nifi-operator 26.7 CRD and built-in schemas (kube-check validate), Pod Security
 * "restricted" and the runtime contract: the default NifiCluster with a NifiFlow, and a variant
 * with the NetworkPolicies, another listener class and an existing admin Secret.
 *
 *   npx ts-node --transpile-only test/nifi/nifi-manifests-fixture.ts OUTDIR
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { NifiCluster, NifiFlow } from '../../constructs/nifi';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { sampleFlow } from './nifi-flow-fixture';

const outdir = process.argv[2];
if (outdir === undefined) throw new Error('nifi-manifests-fixture: usage: OUTDIR');
const app = new App({ outdir, outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });

const plain = new Chart(app, 'nifi', { namespace: 'flows' });
const nifi = new NifiCluster(plain, 'Nifi');
new NifiFlow(plain, 'Flow', { nifi, trust: new TlsTrustStore(plain, 'Trust'), flow: sampleFlow() });

const guarded = new Chart(app, 'nifi-network-policies', { namespace: 'flows-np' });
const nifi2 = new NifiCluster(guarded, 'Nifi', {
  networkPolicy: true, listenerClass: 'cluster-internal', admin: Credentials.fromSecret('nifi-admin', 'admin'), replicas: 1,
});
nifi2.allowInternet([443]);
new NifiFlow(guarded, 'Flow', { nifi: nifi2, trust: new TlsTrustStore(guarded, 'Trust'), flow: sampleFlow(), networkPolicy: true });
app.synth();
