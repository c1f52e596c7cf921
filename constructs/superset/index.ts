export * from './assets-import';
export * from './bundle';
export * from './bundle-builder';
export * from './bundle-yaml';
export * from './superset';
