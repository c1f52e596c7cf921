/** Stackable's demo data-lakehouse-iceberg-trino-spark from the library (lakehouse-chart.ts): `make synth` writes dist/, `npm run synth:helm` its chart. */
import { App, YamlOutputType } from 'cdk8s';
import { LakehouseChart } from './lakehouse-chart';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
new LakehouseChart(app, 'data-lakehouse-iceberg-trino-spark');
app.synth();
