import { App, YamlOutputType } from 'cdk8s';
import { DemoChart } from './demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';

// The default demo; `cdk8s synth` (or `make synth`) writes it to dist/.
const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
new DemoChart(app, 'spark-k8s-anomaly-detection-taxi-data');
app.synth();
