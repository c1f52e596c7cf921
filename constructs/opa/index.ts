export * from './opa-server';
export * from './rego-bundle';
export * from './trino-policy';
