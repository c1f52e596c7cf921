/** Stackable's demo trino-iceberg from the library (iceberg-chart.ts): `make synth` writes dist/, `npm run synth:helm` its chart. */
import { App, YamlOutputType } from 'cdk8s';
import { TrinoIcebergChart } from './iceberg-chart';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
new TrinoIcebergChart(app, 'trino-iceberg');
app.synth();
