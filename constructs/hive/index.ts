export * from './hive-metastore';
