/**
 * What the lakehouse e2e session (test_lakehouse_e2e.py) compares the real programs with, taken from
 * the example's own TypeScript instead of re-typed: the staging tables, the lakehouse tables and
 * materialized views of the batch Job (batch-tables.ts), and the columns of every lakehouse object
 * as Trino's DESCRIBE should list them (batch-tables.ts BATCH_COLUMNS, lakehouse-views.ts COLUMNS).
 *
 * Usage: ts-node --transpile-only test/demos/data-lakehouse-iceberg-trino-spark/demo-facts.ts
 * prints `{ "stagingTables": [...], "lakehouseTables": [...], "materializedViews": [...],
 * "batchColumns": { "<schema>.<table>": [{ name, type }, ...] }, "streamedColumns": { ... } }`.
 */
import { BATCH_COLUMNS, LAKEHOUSE_TABLES, MATERIALIZED_VIEWS, STAGING_TABLES } from '../../../demos/data-lakehouse-iceberg-trino-spark/batch-tables';
import { COLUMNS } from '../../../demos/data-lakehouse-iceberg-trino-spark/lakehouse-views';

process.stdout.write(JSON.stringify({
  stagingTables: STAGING_TABLES,
  lakehouseTables: LAKEHOUSE_TABLES,
  materializedViews: MATERIALIZED_VIEWS,
  batchColumns: BATCH_COLUMNS,
  streamedColumns: COLUMNS,
}));
