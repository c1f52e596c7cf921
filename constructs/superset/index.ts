export * from './dashboard-bundle';
export * from './dashboard-import';
export * from './superset';
