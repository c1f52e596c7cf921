/**
 * Synthesizes a chart with a TrinoSqlJob and prints its objects as JSON, for
 * test/trino/test_trino_sql_job.py (which runs the Job's script with the real Trino CLI).
 *
 *   npx ts-node --transpile-only test/trino/trino-sql-job-fixture.ts STATEMENT...
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { TrinoCluster, TrinoSqlJob } from '../../constructs/trino';
import { namespacedChart } from '../util';

const chart = namespacedChart();
const trust = new TlsTrustStore(chart, 'Trust');
const trino = new TrinoCluster(chart, 'Trino', {
  opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy'), admin: Credentials.literal('admin', 'cli-Pa55:word/with+specials'),
});
new TrinoSqlJob(chart, 'Sql', { trino, trust, statements: process.argv.slice(2) });
process.stdout.write(JSON.stringify(Testing.synth(chart)));
