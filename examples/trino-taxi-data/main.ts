import { App } from 'cdk8s';
import { TlsTrustStore } from 'cdk8s-stackable-demos';
import { Chart } from 'cdk8s';
const app = new App();
const c = new Chart(app, 'x');
new TlsTrustStore(c, 'T');
app.synth();
