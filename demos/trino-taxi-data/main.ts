/**
 * Stackable's demo trino-taxi-data (release 26.7) from the library's constructs (taxi-data-chart.ts).
 * `make synth` (npm run synth:examples) writes it to demos/trino-taxi-data/dist/ (see README.md here);
 * `npm run synth:helm` writes its Helm chart (helm-values.ts).
 */
import { App, YamlOutputType } from 'cdk8s';
import { TaxiDataChart } from './taxi-data-chart';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
new TaxiDataChart(app, 'trino-taxi-data');
app.synth();
